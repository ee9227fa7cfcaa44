/** A sensor driver turns pin, I2C or 1-Wire reads into the values of a sensor's channels. */
import { PLAN_DRIVERS } from '../features.js';
import type { PinIO, SensorPlan } from '../types.js';

/**
 * A read's answer: one number per channel, in the order of `sensor.channels` (an on/off
 * reading as 1 or 0). A value that is not a finite number (NaN from a pin with no reading yet)
 * leaves its channel out of the report, and `[]` is a sensor that did not answer. `why` says
 * what went wrong, for the host's log; a bundle has no log (features.ts) and gives none.
 */
export type ReadDone = (values: number[], why?: string) => void;

export interface SensorDriver {
  /** Reads every channel of the sensor; the runtime rounds each to its channel's decimals
   *  when it reports it. */
  read(done: ReadDone): void;
  /** An input the IO watches (button, PIR): when a watched input changes (`wake`), the
   *  sampler reads these sensors at once. */
  watched?: boolean;
}

/** What every driver gets besides its sensor: one object for all of them. */
export interface DriverContext {
  io: PinIO;
  /** ADC reference voltage of the board; a bundle has it on the sensors instead (SensorPlan
   *  vref). */
  vref: number;
  /** Asks the sampler for a sample of the watched inputs now (one of them changed). */
  wake(): void;
}

export type DriverFactory = (sensor: SensorPlan, context: DriverContext) => SensorDriver;

/** Drivers by catalog part name. The Espruino build includes only the ones a config uses. */
export type DriverTable = Record<string, DriverFactory>;

/** A part's parameters: the plan holds every numeric one, the config's over the catalog's
 *  default (plan.ts), so a driver carries no defaults of its own. A bundle's plan has them on
 *  the sensor itself (build.ts bundlePlan, with PLAN_DRIVERS), one object fewer per sensor. */
export function partParams(sensor: SensorPlan): Record<string, number | string | boolean> {
  return (PLAN_DRIVERS ? sensor : sensor.params || {}) as Record<string, number | string | boolean>;
}

/** The same, numbers: the parts whose parameters are all numeric (analog.ts). */
export function numberParams(sensor: SensorPlan): Record<string, number> {
  return partParams(sensor) as Record<string, number>;
}

/** True for a number that is neither NaN nor infinite (x - x is NaN exactly for those; so is
 *  undefined - undefined, a channel a read left out). Written out because the global isFinite
 *  coerces, and Number.isFinite is not sure on every Espruino. */
export function isFiniteNumber(value: number | undefined): boolean {
  return (value as number) - (value as number) === 0;
}
