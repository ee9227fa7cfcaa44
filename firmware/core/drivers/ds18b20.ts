/** DS18B20 on 1-Wire: the platform runs the bus protocol; this only checks the reading. */
import { logText } from '../log-text.js';
import type { DriverFactory } from './types.js';

export const ds18b20: DriverFactory = (sensor, context) => {
  const pin = sensor.pin as string;
  return {
    read(done) {
      context.io.oneWireTemperature(pin, (error, celsius) => {
        if (error !== null) done(error, null);
        // 85 °C is the power-on value of the scratchpad: a conversion that did not happen.
        else if (celsius === 85 || celsius < -55 || celsius > 125)
          done(logText(`${sensor.id}: no valid conversion (read ${celsius})`), null);
        else done(null, [celsius]);
      });
    },
  };
};
