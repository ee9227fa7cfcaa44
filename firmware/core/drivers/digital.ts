/** Digital sensors: a button (pressed reads LOW with params.wiring "pullup", the default), a PIR. */
import type { SensorPlan } from '../types.js';
import type { DriverContext, DriverFactory, SensorDriver } from './types.js';
import { partParams } from './types.js';

function digitalDriver(
  sensor: SensorPlan,
  context: DriverContext,
  activeLow: boolean,
): SensorDriver {
  const io = context.io;
  const pin = sensor.pin as string;
  io.setup(pin, 'input');
  // An edge, however short, makes the sampler read the watched inputs at once.
  io.watch(pin, context.wake);
  return {
    watched: true,
    read(done) {
      // 1 active, 0 not; a pin with no reading yet (NaN) stays NaN, which the sampler leaves out.
      const level = io.digitalRead(pin);
      done([activeLow ? 1 - level : level]);
    },
  };
}

export const button: DriverFactory = (sensor, context) =>
  digitalDriver(sensor, context, partParams(sensor).wiring !== 'pulldown');

/** PIR modules (HC-SR501) drive their output high while they see motion. */
export const pir: DriverFactory = (sensor, context) => digitalDriver(sensor, context, false);
