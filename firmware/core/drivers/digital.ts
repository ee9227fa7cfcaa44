/** Digital sensors: a button (pressed reads LOW with params.wiring "pullup", the default), a PIR. */
import type { DriverContext, DriverFactory, SensorDriver } from './types.js';

function digitalDriver(context: DriverContext, activeLow: boolean): SensorDriver {
  const pin = context.sensor.pin as string;
  context.io.setup(pin, 'digital-in');
  context.io.watch(pin, () => context.wake(context.sensor));
  return {
    read(done) {
      context.io.digitalRead(pin, (error, high) => {
        if (error !== null) done(error, null);
        else done(null, [high !== activeLow]);
      });
    },
  };
}

export const button: DriverFactory = (context) => {
  const params = context.sensor.params;
  return digitalDriver(context, params === undefined || params.wiring !== 'pulldown');
};

/** PIR modules (HC-SR501) drive their output high while they see motion. */
export const pir: DriverFactory = (context) => digitalDriver(context, false);
