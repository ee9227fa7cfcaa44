/**
 * The sampling scheduler: one timer, set to the earliest sensor due, so a board with several
 * sensors runs one timeout rather than one interval each. Sensors due together are read
 * together and their reports become one telemetry message.
 */
import type { DriverTable, SensorDriver } from './drivers/types.js';
import { LOGS } from './features.js';
import { type ChannelMemory, shouldReport } from './reporting.js';
import type {
  PinIO,
  ReadingValues,
  RuntimeClock,
  RuntimeLog,
  RuntimePlan,
  SensorPlan,
} from './types.js';

export interface Sampler {
  start(): void;
  stop(): void;
  /** The intervals of `plan` (one of the sensors) changed: its next sample is one sampleMs
   *  from now. */
  retime(plan: SensorPlan): void;
}

/** What the sampler uses of the runtime's context (firmware/core/runtime.ts). */
export interface SamplerContext {
  drivers: DriverTable;
  io: PinIO;
  clock: RuntimeClock;
  log?: RuntimeLog;
}

interface SensorState {
  plan: SensorPlan;
  driver: SensorDriver;
  nextAt: number;
  memory: ChannelMemory[];
  /** A read is outstanding: do not start another. */
  busy: boolean;
  failures: number;
}

/** Samples the plan's sensors; `report` gets each telemetry-worthy set of readings (at least
 *  one reading). */
export function createSampler(
  runtime: RuntimePlan,
  context: SamplerContext,
  report: (readings: ReadingValues) => void,
): Sampler {
  const clock = context.clock;
  const states: SensorState[] = [];
  let timer: unknown = null;
  let running = false;

  for (let i = 0; i < runtime.sensors.length; i++) {
    const plan = runtime.sensors[i];
    const factory = context.drivers[plan.part];
    // buildPlan only accepts parts with a driver; the Espruino build imports exactly those.
    if (factory === undefined) throw new Error(`no driver for ${plan.part}`);
    const memory: ChannelMemory[] = [];
    for (let c = 0; c < plan.channels.length; c++) memory.push({ last: null, lastAt: 0 });
    const state = { plan, nextAt: 0, memory, busy: false, failures: 0 } as SensorState;
    state.driver = factory({
      sensor: plan,
      io: context.io,
      vref: runtime.vref,
      wake: waker(state),
    });
    states.push(state);
  }

  /** A sample of `state` as soon as possible (a watched input changed). A function of its own,
   *  so each closure has its own state (Espruino has no per-iteration `let` binding). */
  function waker(state: SensorState): () => void {
    return () => {
      if (!running) return;
      state.nextAt = clock.now();
      schedule();
    };
  }

  function sampleDue(): void {
    timer = null;
    if (!running) return;
    const now = clock.now();
    const readings: ReadingValues = {};
    let outstanding = 1;
    // Reads may answer at once (Espruino) or later (Firmata): the message goes out when the
    // last one has answered, with whatever they reported.
    const finish = () => {
      if (--outstanding > 0) return;
      for (const key in readings) if (key !== '') return report(readings);
    };
    for (let i = 0; i < states.length; i++) {
      const state = states[i];
      if (state.nextAt > now || state.busy) continue;
      // Keep the cadence, but never try to catch up on missed samples after a stall.
      state.nextAt += state.plan.sampleMs;
      if (state.nextAt <= now) state.nextAt = now + state.plan.sampleMs;
      outstanding++;
      read(state, readings, finish);
    }
    finish();
    schedule();
  }

  function read(state: SensorState, into: ReadingValues, done: () => void): void {
    state.busy = true;
    state.driver.read((error, values) => {
      state.busy = false;
      if (values === null) {
        state.failures++;
        // Log the first failure and then every hundredth, so a dead sensor does not flood.
        if (LOGS && context.log && state.failures % 100 === 1) {
          context.log.log('warn', 'sensor read failed', {
            sensor: state.plan.id,
            error,
            failures: state.failures,
          });
        }
      } else {
        state.failures = 0;
        const plan = state.plan;
        const now = clock.now();
        for (let c = 0; c < plan.channels.length; c++) {
          const channel = plan.channels[c];
          const memory = state.memory[c];
          const value = values[c];
          if (value !== undefined && shouldReport(memory, value, now, plan, channel.deadband)) {
            memory.last = value;
            memory.lastAt = now;
            into[channel.id] = value;
          }
        }
      }
      done();
    });
  }

  function schedule(): void {
    if (!running) return;
    if (timer !== null) clock.clearTimeout(timer);
    let earliest = -1;
    for (let i = 0; i < states.length; i++) {
      if (earliest < 0 || states[i].nextAt < earliest) earliest = states[i].nextAt;
    }
    timer = earliest < 0 ? null : clock.setTimeout(sampleDue, Math.max(0, earliest - clock.now()));
  }

  return {
    start() {
      running = true;
      for (let i = 0; i < states.length; i++) states[i].nextAt = clock.now();
      schedule();
    },
    stop() {
      running = false;
      if (timer !== null) clock.clearTimeout(timer);
      timer = null;
    },
    retime(plan) {
      for (let i = 0; i < states.length; i++) {
        if (states[i].plan === plan) states[i].nextAt = clock.now() + plan.sampleMs;
      }
      schedule();
    },
  };
}
