/**
 * Analog sensors: the ADC fraction times the board's reference voltage, then the part's
 * transfer function. The formulas match the catalog entries (hardware/catalog) and their
 * datasheets; they are repeated here in the Espruino-safe subset because they run on the board.
 */

import { LOGS, PLAN_DRIVERS } from '../features.js';
import type { SensorPlan } from '../types.js';
import type { DriverContext, DriverFactory, SensorDriver } from './types.js';
import { isFiniteNumber, numberParams } from './types.js';

function analogDriver(
  sensor: SensorPlan,
  context: DriverContext,
  convert: (volts: number, fraction: number) => number,
): SensorDriver {
  const io = context.io;
  const pin = sensor.pin as string;
  io.setup(pin, 'analog');
  return {
    read(done) {
      const fraction = io.analogRead(pin);
      // The reference voltage: a bundle's plan has it on the sensor (PLAN_DRIVERS).
      const value = convert(
        fraction * (PLAN_DRIVERS ? (sensor.vref as number) : context.vref),
        fraction,
      );
      // A value that is not finite (NaN: the pin has no reading yet) is no reading: the
      // sampler leaves it out. Only a host's log hears why.
      if (LOGS && !isFiniteNumber(value)) done([], `${sensor.id}: ADC read ${fraction}`);
      else done([value]);
    },
  };
}

/** TMP36 (Analog Devices datasheet, Table 4): 10 mV/°C with a 500 mV offset at 0 °C. */
export const tmp36: DriverFactory = (sensor, context) =>
  analogDriver(sensor, context, (volts) => (volts - 0.5) * 100);

/** LM35 (TI datasheet SNIS159, 7.3): 10 mV/°C from 0 V at 0 °C. */
export const lm35: DriverFactory = (sensor, context) =>
  analogDriver(sensor, context, (volts) => volts * 100);

/**
 * NTC thermistor in a divider with the series resistor to the supply and the thermistor to
 * ground: R = Rs * f / (1 - f); the beta formula 1/T = 1/T0 + ln(R/R0)/B (in kelvin). A shorted
 * or open thermistor reads the end of the range (125 °C, -40 °C), as the catalog does.
 */
export const ntc: DriverFactory = (sensor, context) => {
  // The parameters read where the formula uses them: no copies kept beside the plan's (in a
  // bundle, numberParams is the sensor itself).
  return analogDriver(sensor, context, (_volts, f) => {
    const p = numberParams(sensor);
    return f <= 0
      ? 125
      : f >= 1
        ? -40
        : 1 / (1 / (p.t0 + 273.15) + Math.log((p.seriesResistor * f) / (1 - f) / p.r0) / p.beta) -
          273.15;
  });
};

/**
 * Photoresistor (GL5528) with the fixed resistor from signal to ground: R = Rs (1 - f) / f, and
 * the LDR's power law lux = 10 (R / R10)^(-1/gamma), clamped to 0-100000 lx. The ends need no
 * case of their own (gamma is positive, catalog): f = 0 (dark, R infinite) gives 0 lx, and
 * f = 1 (no resistance, the brightest) an infinite lux that the clamp makes 100000, on Node as
 * on Espruino (whose pow is exp(log(x) * y)).
 */
export const photoresistor: DriverFactory = (sensor, context) => {
  return analogDriver(sensor, context, (_volts, f) => {
    const p = numberParams(sensor);
    return Math.min(100000, 10 * ((p.seriesResistor * (1 - f)) / f / p.r10) ** (-1 / p.gamma));
  });
};
