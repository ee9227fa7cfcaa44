/**
 * The sampling scheduler: one timer, set to the earliest sensor due, so a board with several
 * sensors runs one timeout rather than one interval each. Sensors due together are read
 * together and their reports become one telemetry message.
 */
import type { ReadingValue } from '../../contract/payloads.js';
import type { DriverTable, SensorDriver } from './drivers/types.js';
import { type ChannelMemory, shouldReport } from './reporting.js';
import type { PinIO, ReadingValues, RuntimeClock, RuntimeLog, SensorPlan } from './types.js';

export interface IntervalChange {
  sampleMs: number | null;
  minReportMs: number | null;
  maxReportMs: number | null;
}

export interface Sampler {
  start(): void;
  stop(): void;
  /** Applies new intervals to one sensor (by id) or all (null); returns false for an unknown id. */
  setIntervals(sensorId: string | null, change: IntervalChange): boolean;
  sensors(): SensorPlan[];
}

export interface SamplerContext {
  sensors: SensorPlan[];
  drivers: DriverTable;
  io: PinIO;
  vref: number;
  clock: RuntimeClock;
  log: RuntimeLog;
  /** A telemetry-worthy set of readings (at least one). */
  report(readings: ReadingValues): void;
}

interface SensorState {
  plan: SensorPlan;
  driver: SensorDriver | null;
  nextAt: number;
  memory: ChannelMemory[];
  /** A read is outstanding: do not start another. */
  busy: boolean;
  failures: number;
}

export function createSampler(context: SamplerContext): Sampler {
  const clock = context.clock;
  const states: SensorState[] = [];
  let timer: unknown = null;
  let running = false;

  /** A sample of `state` as soon as possible (a watched input changed). Outside the loop below,
   *  so each closure has its own state (Espruino has no per-iteration `let` binding). */
  function waker(state: SensorState): () => void {
    return () => {
      if (!running) return;
      state.nextAt = clock.now();
      schedule();
    };
  }

  for (let i = 0; i < context.sensors.length; i++) {
    const plan = context.sensors[i] as SensorPlan;
    const factory = context.drivers[plan.part];
    const memory: ChannelMemory[] = [];
    for (let c = 0; c < plan.channels.length; c++) memory.push({ last: null, lastAt: 0 });
    const state: SensorState = { plan, driver: null, nextAt: 0, memory, busy: false, failures: 0 };
    states.push(state);
    if (factory === undefined) {
      context.log.log('error', 'no driver for sensor part', { sensor: plan.id, part: plan.part });
    } else {
      state.driver = factory({
        sensor: plan,
        io: context.io,
        vref: context.vref,
        wake: waker(state),
      });
    }
  }

  function collect(state: SensorState, values: ReadingValue[], now: number, into: ReadingValues) {
    const plan = state.plan;
    for (let c = 0; c < plan.channels.length; c++) {
      const channel = plan.channels[c] as SensorPlan['channels'][number];
      const value = values[c];
      if (value === undefined) continue;
      const memory = state.memory[c] as ChannelMemory;
      const bounds = {
        deadband: channel.deadband,
        minReportMs: plan.minReportMs,
        maxReportMs: plan.maxReportMs,
      };
      if (shouldReport(memory, value, now, bounds)) {
        memory.last = value;
        memory.lastAt = now;
        into[channel.id] = value;
      }
    }
  }

  function sampleDue(): void {
    timer = null;
    if (!running) return;
    const now = clock.now();
    const due: SensorState[] = [];
    for (let i = 0; i < states.length; i++) {
      const state = states[i] as SensorState;
      if (state.nextAt <= now && state.driver !== null && !state.busy) {
        // Keep the cadence, but never try to catch up on missed samples after a stall.
        state.nextAt = state.nextAt + state.plan.sampleMs;
        if (state.nextAt <= now) state.nextAt = now + state.plan.sampleMs;
        due.push(state);
      }
    }
    const readings: ReadingValues = {};
    let outstanding = due.length;
    const finish = () => {
      outstanding--;
      if (outstanding > 0) return;
      for (const key in readings) {
        if (key !== '') return context.report(readings);
      }
    };
    for (let i = 0; i < due.length; i++) readOne(due[i] as SensorState, readings, finish);
    schedule();
  }

  function readOne(state: SensorState, into: ReadingValues, done: () => void): void {
    state.busy = true;
    (state.driver as SensorDriver).read((error, values) => {
      state.busy = false;
      if (error !== null || values === null) {
        state.failures++;
        // Log the first failure and then every hundredth, so a dead sensor does not flood.
        if (state.failures % 100 === 1) {
          context.log.log('warn', 'sensor read failed', {
            sensor: state.plan.id,
            error,
            failures: state.failures,
          });
        }
      } else {
        state.failures = 0;
        collect(state, values, clock.now(), into);
      }
      done();
    });
  }

  function schedule(): void {
    if (!running) return;
    if (timer !== null) clock.clearTimeout(timer);
    let earliest = -1;
    for (let i = 0; i < states.length; i++) {
      const state = states[i] as SensorState;
      if (state.driver !== null && (earliest < 0 || state.nextAt < earliest))
        earliest = state.nextAt;
    }
    if (earliest < 0) return;
    const wait = earliest - clock.now();
    timer = clock.setTimeout(sampleDue, Math.max(0, wait));
  }

  return {
    start() {
      running = true;
      const now = clock.now();
      for (let i = 0; i < states.length; i++) (states[i] as SensorState).nextAt = now;
      schedule();
    },
    stop() {
      running = false;
      if (timer !== null) clock.clearTimeout(timer);
      timer = null;
    },
    setIntervals(sensorId, change) {
      let matched = false;
      for (let i = 0; i < states.length; i++) {
        const state = states[i] as SensorState;
        if (sensorId !== null && state.plan.id !== sensorId) continue;
        matched = true;
        if (change.sampleMs !== null) {
          state.plan.sampleMs = change.sampleMs;
          state.nextAt = clock.now() + change.sampleMs;
        }
        if (change.minReportMs !== null) state.plan.minReportMs = change.minReportMs;
        if (change.maxReportMs !== null) state.plan.maxReportMs = change.maxReportMs;
      }
      if (matched) schedule();
      return matched;
    },
    sensors() {
      const plans: SensorPlan[] = [];
      for (let i = 0; i < states.length; i++) plans.push((states[i] as SensorState).plan);
      return plans;
    },
  };
}
