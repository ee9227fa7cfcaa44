/**
 * Analog sensors: the ADC fraction times the board's reference voltage, then the part's
 * transfer function. The formulas match the catalog entries (hardware/catalog) and their
 * datasheets; they are repeated here in the Espruino-safe subset because they run on the board.
 */
import type { DriverContext, DriverFactory, SensorDriver } from './types.js';
import { isFiniteNumber, numberParam, round } from './types.js';

function analogDriver(
  context: DriverContext,
  convert: (volts: number, fraction: number) => number,
  decimals: number,
): SensorDriver {
  const pin = context.sensor.pin as string;
  context.io.setup(pin, 'analog-in');
  return {
    read(done) {
      context.io.analogRead(pin, (error, fraction) => {
        if (error !== null) return done(error, null);
        const value = convert(fraction * context.vref, fraction);
        if (!isFiniteNumber(value)) return done(`${context.sensor.id}: reading out of range`, null);
        done(null, [round(value, decimals)]);
      });
    },
  };
}

/** TMP36 (Analog Devices datasheet, Table 4): 10 mV/°C with a 500 mV offset at 0 °C. */
export const tmp36: DriverFactory = (context) =>
  analogDriver(context, (volts) => (volts - 0.5) * 100, 2);

/** LM35 (TI datasheet SNIS159, 7.3): 10 mV/°C from 0 V at 0 °C. */
export const lm35: DriverFactory = (context) => analogDriver(context, (volts) => volts * 100, 2);

/**
 * NTC thermistor in a divider with the series resistor to the supply and the thermistor to
 * ground: R = Rs * f / (1 - f); the beta formula 1/T = 1/T0 + ln(R/R0)/B (in kelvin). A shorted
 * or open thermistor reads the end of the range (125 °C, -40 °C), as the catalog does.
 */
export const ntc: DriverFactory = (context) => {
  const beta = numberParam(context.sensor, 'beta', 3950);
  const r0 = numberParam(context.sensor, 'r0', 10000);
  const series = numberParam(context.sensor, 'seriesResistor', 10000);
  const t0 = numberParam(context.sensor, 't0', 25) + 273.15;
  return analogDriver(
    context,
    (_volts, f) => {
      if (f <= 0) return 125;
      if (f >= 1) return -40;
      const r = (series * f) / (1 - f);
      return 1 / (1 / t0 + Math.log(r / r0) / beta) - 273.15;
    },
    2,
  );
};

/**
 * Photoresistor (GL5528) with the fixed resistor from signal to ground: R = Rs (1 - f) / f, and
 * the LDR's power law lux = 10 (R / R10)^(-1/gamma), clamped to 0-100000 lx.
 */
export const photoresistor: DriverFactory = (context) => {
  const r10 = numberParam(context.sensor, 'r10', 10000);
  const gamma = numberParam(context.sensor, 'gamma', 0.6);
  const series = numberParam(context.sensor, 'seriesResistor', 10000);
  return analogDriver(
    context,
    (_volts, f) => {
      if (f <= 0) return 0;
      const r = (series * (1 - f)) / f;
      if (r <= 0) return 100000;
      return Math.min(100000, Math.max(0, 10 * (r / r10) ** (-1 / gamma)));
    },
    1,
  );
};
