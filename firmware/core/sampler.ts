/**
 * The sampling scheduler: one timer, set to the earliest sensor due, so a board with several
 * sensors runs one timeout rather than one interval each. Sensors due together are read
 * together and their reports become one telemetry message.
 *
 * Its state is in typed arrays, one slot per sensor or per channel, rather than an object per
 * sensor and per channel: on Espruino a number in a typed array costs bytes where an object
 * member costs variables (firmware/espruino/budget.ts).
 */
import type { DriverContext, DriverFactory, DriverTable, SensorDriver } from './drivers/types.js';
import { isFiniteNumber } from './drivers/types.js';
import { ASYNC_READS, CONTROL, LOGS, PLAN_DRIVERS, WATCH } from './features.js';
import { shouldReport } from './reporting.js';
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

/** Samples the plan's sensors; `report` gets each telemetry-worthy set of readings (at least
 *  one reading). */
export function createSampler(
  runtime: RuntimePlan,
  context: SamplerContext,
  report: (readings: ReadingValues) => void,
): Sampler {
  const clock = context.clock;
  const sensors = runtime.sensors;
  const count = sensors.length;
  /** When each sensor is next due, ms. */
  let nextAt = new Float64Array(count);
  /** A read is outstanding: do not start another (only reads that answer later can be). */
  const busy = new Uint8Array(ASYNC_READS ? count : 0);
  /** Failed reads in a row, for the log (a bundle has none). */
  const failures = LOGS ? new Uint16Array(count) : null;
  let channels = 0;
  let timer: unknown = null;
  /** Between start() and stop(). Only a host stops the sampler (CONTROL); on a board it starts
   *  in the same synchronous run that creates it, before any watch or timer can fire, so the
   *  bundle does not carry the `CONTROL && !running` checks. */
  let running = false;
  // A bundle's plan has the ADC's reference voltage on the sensors that read volts (build.ts
  // bundlePlan), not here.
  const shared = (
    PLAN_DRIVERS ? { io: context.io } : { io: context.io, vref: runtime.vref }
  ) as DriverContext;
  // Only watched inputs (WATCH: buttons, motion) wake the sampler.
  if (WATCH) shared.wake = wake;

  // One driver per sensor, made by one map (shorter than a loop pushing them).
  const drivers: SensorDriver[] = sensors.map((plan) => {
    // buildPlan only accepts parts with a driver; the Espruino build imports exactly those (and
    // refuses a part without one), so only a host's table can miss one.
    if (CONTROL && context.drivers[plan.part] === undefined)
      throw new Error(`no driver for ${plan.part}`);
    channels += plan.channels.length;
    // Called on the plan or the table: a factory is an arrow function, so either as `this` is
    // harmless, and the call is shorter than one on a copy.
    return PLAN_DRIVERS
      ? (plan.driver as DriverFactory)(plan, shared)
      : context.drivers[plan.part](plan, shared);
  });
  /** Each channel's last report (NaN: none yet this boot) and when it was made. */
  const last = new Float64Array(channels).map(() => Number.NaN);
  const lastAt = new Float64Array(channels);

  /** A sample of the watched inputs as soon as possible (one of them changed). */
  function wake(): void {
    if (CONTROL && !running) return;
    drivers.forEach((driver, i) => {
      if (driver.watched) nextAt[i] = clock.now();
    });
    schedule();
  }

  function sampleDue(): void {
    timer = null;
    if (CONTROL && !running) return;
    const now = clock.now();
    const readings: ReadingValues = {};
    let outstanding = 1;
    // Reads may answer at once (Espruino) or later (Firmata, a DS18B20): the message goes out
    // when the last one has answered, with whatever they reported. Without ASYNC_READS every
    // read has answered when the loop ends.
    const finish = () => {
      // Never below 0: one finish per read, and one more once they are all started.
      if (ASYNC_READS && --outstanding) return;
      if (Object.keys(readings).length) report(readings);
    };
    // `first`: the sensor's first channel in the channel arrays.
    for (let i = 0, first = 0; i < count; first += sensors[i++].channels.length) {
      if (nextAt[i] > now || (ASYNC_READS && busy[i])) continue;
      const sampleMs = sensors[i].sampleMs;
      // Keep the cadence, but never try to catch up on missed samples after a stall.
      const next = nextAt[i] + sampleMs;
      nextAt[i] = next > now ? next : now + sampleMs;
      outstanding++;
      read(i, first, readings, finish);
    }
    finish();
    schedule();
  }

  /** Reads sensor `i`, whose channels start at `first`, into `into`. A function of its own, so
   *  that each read's callback has its own `i` (Espruino has no per-iteration `let` binding). */
  function read(i: number, first: number, into: ReadingValues, done: () => void): void {
    if (ASYNC_READS) busy[i] = 1;
    drivers[i].read((values, why) => {
      if (ASYNC_READS) busy[i] = 0;
      const plan = sensors[i];
      const now = clock.now();
      let answered = false;
      for (let c = 0; c < plan.channels.length; c++) {
        const channel = plan.channels[c];
        const k = first + c;
        const value = values[c];
        // Not a finite number (NaN, or left out): no reading of this channel.
        if (!isFiniteNumber(value)) continue;
        if (LOGS) answered = true;
        if (shouldReport(last[k], lastAt[k], value, now, plan, channel)) {
          last[k] = value;
          lastAt[k] = now;
          into[channel.id] = value;
        }
      }
      if (LOGS) logRead(i, answered, why);
      if (ASYNC_READS) done();
    });
  }

  /** A read that gave no value is logged the first time and then every hundredth, so a dead
   *  sensor does not flood the log (a host's: a bundle has none). */
  function logRead(i: number, answered: boolean, why: string | undefined): void {
    if (!failures || !context.log) return;
    if (answered) failures[i] = 0;
    else if (failures[i]++ % 100 === 0) {
      context.log.log('warn', 'sensor read failed', {
        sensor: sensors[i].id,
        error: why || 'no value',
        failures: failures[i],
      });
    }
  }

  function schedule(): void {
    if (CONTROL && !running) return;
    if (timer !== null) clock.clearTimeout(timer);
    // The earliest sensor due. Espruino's apply takes a typed array as the arguments (any
    // iterable, up to 64: a config's most sensors).
    const earliest = Math.min.apply(null, nextAt as unknown as number[]);
    timer = count ? clock.setTimeout(sampleDue, Math.max(0, earliest - clock.now())) : null;
  }

  const sampler: Sampler = {
    start() {
      running = true;
      // Every sensor due now (a new array: shorter than a loop, and the board has no fill).
      const now = clock.now();
      nextAt = nextAt.map(() => now);
      schedule();
    },
    retime(plan) {
      nextAt[sensors.indexOf(plan)] = clock.now() + plan.sampleMs;
      schedule();
    },
  } as Sampler;
  // Only a host stops the runtime (features.ts).
  if (CONTROL)
    sampler.stop = () => {
      running = false;
      if (timer !== null) clock.clearTimeout(timer);
      timer = null;
    };
  return sampler;
}
