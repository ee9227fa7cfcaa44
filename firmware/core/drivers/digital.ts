/** Digital sensors: a button (pressed reads LOW with params.wiring "pullup", the default), a PIR. */
import type { SensorPlan } from '../types.js';
import type { DriverContext, DriverFactory, SensorDriver } from './types.js';

function digitalDriver(
  sensor: SensorPlan,
  context: DriverContext,
  activeLow: boolean,
): SensorDriver {
  const pin = sensor.pin as string;
  context.io.setup(pin, 'digital-in');
  // An edge, however short, makes the sampler read the watched inputs at once.
  context.io.watch(pin, context.wake);
  return {
    watched: true,
    read(done) {
      context.io.digitalRead(pin, (error, high) => {
        if (error !== null) done(error, null);
        else done(null, [high !== activeLow]);
      });
    },
  };
}

export const button: DriverFactory = (sensor, context) =>
  digitalDriver(
    sensor,
    context,
    sensor.params === undefined || sensor.params.wiring !== 'pulldown',
  );

/** PIR modules (HC-SR501) drive their output high while they see motion. */
export const pir: DriverFactory = (sensor, context) => digitalDriver(sensor, context, false);
