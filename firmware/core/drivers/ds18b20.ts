/** DS18B20 on 1-Wire: the platform runs the bus protocol; this only checks the reading. */
import { LOGS } from '../features.js';
import type { DriverFactory } from './types.js';

export const ds18b20: DriverFactory = (sensor, context) => {
  // The pin read from the plan at each read (as the IO): no copy of it kept beside it.
  return {
    read(done) {
      // 85 °C is the power-on value of the scratchpad: a conversion that did not happen. NaN
      // (no device, a failed read) passes, and the sampler leaves it out; only a host's log
      // hears of it. One expression, so that a bundle's callback needs no body.
      context.io.oneWireTemperature(sensor.pin as string, (celsius, why) =>
        celsius === 85 || celsius < -55 || celsius > 125 || (LOGS && Number.isNaN(celsius))
          ? LOGS
            ? done([], why || `${sensor.id}: no valid conversion (read ${celsius})`)
            : done([])
          : done([celsius]),
      );
    },
  };
};
