/**
 * BME280 compensation: the chip reports uncompensated 20-bit temperature and pressure and 16-bit
 * humidity counts; each chip's factory trim values (the calibration) turn them into °C, Pa and
 * %RH. Formulas: Bosch BME280 datasheet (BST-BME280-DS002), §8.1 "Compensation formulas in
 * double precision floating point" (the same temperature and pressure formulas as the BMP280,
 * whose datasheet §3.12 gives a worked example: adc_T 519888 → 25.08 °C, adc_P 415148 →
 * 100653.27 Pa). Virtual boards use the inverses here to turn a simulated world into counts.
 */

/** Factory trim values, names as in the datasheet's Table 16 (dig_T1 → T1). */
export interface Bme280Calibration {
  T1: number;
  T2: number;
  T3: number;
  P1: number;
  P2: number;
  P3: number;
  P4: number;
  P5: number;
  P6: number;
  P7: number;
  P8: number;
  P9: number;
  H1: number;
  H2: number;
  H3: number;
  H4: number;
  H5: number;
  H6: number;
}

/** Uncompensated counts as read from registers 0xF7-0xFE. */
export interface Bme280Adc {
  /** adc_T, 20 bits. */
  temperature: number;
  /** adc_P, 20 bits. */
  pressure: number;
  /** adc_H, 16 bits. */
  humidity: number;
}

export interface Bme280Compensated {
  /** °C */
  temperature: number;
  /** Pa */
  pressure: number;
  /** %RH, 0-100 */
  humidity: number;
  /** The fine temperature the pressure and humidity formulas take. */
  tFine: number;
}

export function compensateTemperature(
  adcT: number,
  c: Bme280Calibration,
): { celsius: number; tFine: number } {
  const var1 = (adcT / 16384 - c.T1 / 1024) * c.T2;
  const d = adcT / 131072 - c.T1 / 8192;
  const var2 = d * d * c.T3;
  return { celsius: (var1 + var2) / 5120, tFine: Math.trunc(var1 + var2) };
}

/** Pascals; 0 when the calibration would divide by zero (as the datasheet's code does). */
export function compensatePressure(adcP: number, tFine: number, c: Bme280Calibration): number {
  let var1 = tFine / 2 - 64000;
  let var2 = (var1 * var1 * c.P6) / 32768;
  var2 = var2 + var1 * c.P5 * 2;
  var2 = var2 / 4 + c.P4 * 65536;
  var1 = ((c.P3 * var1 * var1) / 524288 + c.P2 * var1) / 524288;
  var1 = (1 + var1 / 32768) * c.P1;
  if (var1 === 0) return 0;
  let p = 1048576 - adcP;
  p = ((p - var2 / 4096) * 6250) / var1;
  var1 = (c.P9 * p * p) / 2147483648;
  var2 = (p * c.P8) / 32768;
  return p + (var1 + var2 + c.P7) / 16;
}

/** %RH, clamped to 0-100 as in the datasheet. */
export function compensateHumidity(adcH: number, tFine: number, c: Bme280Calibration): number {
  let h = tFine - 76800;
  h =
    (adcH - (c.H4 * 64 + (c.H5 / 16384) * h)) *
    ((c.H2 / 65536) * (1 + (c.H6 / 67108864) * h * (1 + (c.H3 / 67108864) * h)));
  h = h * (1 - (c.H1 * h) / 524288);
  return Math.min(100, Math.max(0, h));
}

export function compensate(adc: Bme280Adc, c: Bme280Calibration): Bme280Compensated {
  const { celsius, tFine } = compensateTemperature(adc.temperature, c);
  return {
    temperature: celsius,
    pressure: compensatePressure(adc.pressure, tFine, c),
    humidity: compensateHumidity(adc.humidity, tFine, c),
    tFine,
  };
}

/** Smallest integer in [lo, hi] where f crosses target, for f monotonic (either direction). */
function solve(f: (x: number) => number, target: number, lo: number, hi: number): number {
  const rising = f(hi) >= f(lo);
  let a = lo;
  let b = hi;
  while (b - a > 1) {
    const mid = Math.floor((a + b) / 2);
    if (f(mid) < target === rising) a = mid;
    else b = mid;
  }
  return Math.abs(f(a) - target) <= Math.abs(f(b) - target) ? a : b;
}

/**
 * The counts a chip with calibration `c` reports for a world at `celsius`, `pascals`, `percent`
 * (the inverse of `compensate`, solved by bisection: each formula is monotonic in its count).
 */
export function adcFor(
  world: { celsius: number; pascals: number; percent: number },
  c: Bme280Calibration,
): Bme280Adc {
  const temperature = solve((x) => compensateTemperature(x, c).celsius, world.celsius, 0, 0xfffff);
  const { tFine } = compensateTemperature(temperature, c);
  const pressure = solve((x) => compensatePressure(x, tFine, c), world.pascals, 0, 0xfffff);
  const humidity = solve((x) => compensateHumidity(x, tFine, c), world.percent, 0, 0xffff);
  return { temperature, pressure, humidity };
}
