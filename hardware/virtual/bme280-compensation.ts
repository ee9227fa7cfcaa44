/**
 * BME280 calibration data and the datasheet's compensation formulas (Bosch BST-BME280-DS002,
 * section 8.1 "Compensation formulas in double precision floating point"), used by the simulated
 * chip to find the raw ADC values that a driver will decode into the world's readings.
 *
 * The temperature and pressure coefficients are the worked example of the Bosch BMP280
 * datasheet (BST-BMP280-DS001, section 3.12: adc_T 519888 → 25.08 °C, adc_P 415148 →
 * 100653.27 Pa); the humidity coefficients are those of a production BME280.
 */

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

export const DEFAULT_CALIBRATION: Bme280Calibration = {
  T1: 27504,
  T2: 26435,
  T3: -1000,
  P1: 36477,
  P2: -10685,
  P3: 3024,
  P4: 2855,
  P5: 140,
  P6: -7,
  P7: 15500,
  P8: -14600,
  P9: 6000,
  H1: 75,
  H2: 362,
  H3: 0,
  H4: 313,
  H5: 50,
  H6: 30,
};

/** Returns °C and t_fine (the fine temperature that pressure and humidity depend on). */
export function compensateTemperature(adcT: number, c: Bme280Calibration) {
  const var1 = (adcT / 16384 - c.T1 / 1024) * c.T2;
  const var2 = (adcT / 131072 - c.T1 / 8192) ** 2 * c.T3;
  const tFine = Math.trunc(var1 + var2);
  return { celsius: (var1 + var2) / 5120, tFine };
}

/** Pressure in Pa. */
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

/** Relative humidity in %. */
export function compensateHumidity(adcH: number, tFine: number, c: Bme280Calibration): number {
  let h = tFine - 76800;
  h =
    (adcH - (c.H4 * 64 + (c.H5 / 16384) * h)) *
    ((c.H2 / 65536) * (1 + (c.H6 / 67108864) * h * (1 + (c.H3 / 67108864) * h)));
  h = h * (1 - (c.H1 * h) / 524288);
  return Math.min(100, Math.max(0, h));
}

/**
 * The integer in [lo, hi] whose decoded value is closest to `target`, by bisection: each
 * compensation formula is monotonic in its ADC value over the range a real chip produces.
 */
function invert(decode: (adc: number) => number, target: number, lo: number, hi: number) {
  const increasing = decode(hi) > decode(lo);
  let a = lo;
  let b = hi;
  while (b - a > 1) {
    const mid = Math.floor((a + b) / 2);
    if (decode(mid) < target === increasing) a = mid;
    else b = mid;
  }
  return Math.abs(decode(a) - target) <= Math.abs(decode(b) - target) ? a : b;
}

export interface Bme280Raw {
  adcT: number;
  adcP: number;
  adcH: number;
}

/** Raw 20-bit temperature and pressure and 16-bit humidity values that decode to the inputs. */
export function rawFromReadings(
  celsius: number,
  pascal: number,
  humidity: number,
  c: Bme280Calibration = DEFAULT_CALIBRATION,
): Bme280Raw {
  const adcT = invert((adc) => compensateTemperature(adc, c).celsius, celsius, 0, 0xfffff);
  const { tFine } = compensateTemperature(adcT, c);
  const adcP = invert((adc) => compensatePressure(adc, tFine, c), pascal, 0, 0xfffff);
  const adcH = invert((adc) => compensateHumidity(adc, tFine, c), humidity, 0, 0xffff);
  return { adcT, adcP, adcH };
}

/** The calibration block as the chip stores it: 0x88-0xA1 (26 bytes) and 0xE1-0xE7 (7 bytes). */
export function calibrationRegisters(c: Bme280Calibration): { tp: number[]; h: number[] } {
  const le16 = (v: number) => [v & 0xff, (v >> 8) & 0xff];
  const tp = [
    ...le16(c.T1),
    ...le16(c.T2),
    ...le16(c.T3),
    ...le16(c.P1),
    ...le16(c.P2),
    ...le16(c.P3),
    ...le16(c.P4),
    ...le16(c.P5),
    ...le16(c.P6),
    ...le16(c.P7),
    ...le16(c.P8),
    ...le16(c.P9),
    0x00, // 0xA0: reserved
    c.H1 & 0xff, // 0xA1
  ];
  // H4 and H5 are 12-bit values sharing 0xE5 (datasheet Table 16).
  const h = [
    ...le16(c.H2),
    c.H3 & 0xff,
    (c.H4 >> 4) & 0xff,
    ((c.H5 & 0x0f) << 4) | (c.H4 & 0x0f),
    (c.H5 >> 4) & 0xff,
    c.H6 & 0xff,
  ];
  return { tp, h };
}
