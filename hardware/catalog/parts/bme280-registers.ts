/**
 * BME280 register map and byte layouts, for drivers and for virtual boards that emulate the
 * chip. Bosch BME280 datasheet (BST-BME280-DS002) §5.3 "Memory map", §5.4 register
 * descriptions and Table 16 "Compensation parameter storage, naming and data type".
 */
import type { Bme280Adc, Bme280Calibration } from './bme280-compensation.js';

export const BME280_REGISTERS = {
  /** chip id, reads 0x60 */
  id: 0xd0,
  /** write 0xB6 to reset */
  reset: 0xe0,
  /** calibration T1..P9 (24 bytes), then 0xA0 unused, 0xA1 = H1 */
  calib00: 0x88,
  calib00Length: 26,
  /** calibration H2..H6 (7 bytes) */
  calib26: 0xe1,
  calib26Length: 7,
  ctrlHum: 0xf2,
  status: 0xf3,
  ctrlMeas: 0xf4,
  config: 0xf5,
  /** press_msb … hum_lsb (8 bytes) */
  data: 0xf7,
  dataLength: 8,
} as const;

export const BME280_CHIP_ID = 0x60;
export const BME280_RESET_COMMAND = 0xb6;
export const BME280_ADDRESSES = [0x76, 0x77] as const;

/**
 * A plausible calibration for tests and virtual chips. T1-T3 and P1-P9 are the BMP280
 * datasheet's §3.12 worked-example values (its adc_T 519888 gives 25.08 °C); the datasheet gives
 * no humidity example, so H1-H6 are typical of production BME280 chips.
 */
export const SAMPLE_CALIBRATION: Bme280Calibration = {
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

const u16 = (b: ArrayLike<number>, i: number) => (b[i] ?? 0) | ((b[i + 1] ?? 0) << 8);
const s16 = (b: ArrayLike<number>, i: number) => {
  const v = u16(b, i);
  return v >= 0x8000 ? v - 0x10000 : v;
};
const s12 = (v: number) => (v >= 0x800 ? v - 0x1000 : v);
const s8 = (v: number) => (v >= 0x80 ? v - 0x100 : v);

/** Table 16: `block1` is 0x88-0xA1 (26 bytes), `block2` is 0xE1-0xE7 (7 bytes). */
export function parseCalibration(
  block1: ArrayLike<number>,
  block2: ArrayLike<number>,
): Bme280Calibration {
  const e4 = block2[3] ?? 0;
  const e5 = block2[4] ?? 0;
  const e6 = block2[5] ?? 0;
  return {
    T1: u16(block1, 0),
    T2: s16(block1, 2),
    T3: s16(block1, 4),
    P1: u16(block1, 6),
    P2: s16(block1, 8),
    P3: s16(block1, 10),
    P4: s16(block1, 12),
    P5: s16(block1, 14),
    P6: s16(block1, 16),
    P7: s16(block1, 18),
    P8: s16(block1, 20),
    P9: s16(block1, 22),
    H1: block1[25] ?? 0,
    H2: s16(block2, 0),
    H3: block2[2] ?? 0,
    // dig_H4 = 0xE4[7:0] << 4 | 0xE5[3:0]; dig_H5 = 0xE6[7:0] << 4 | 0xE5[7:4] (signed 12-bit).
    H4: s12((e4 << 4) | (e5 & 0x0f)),
    H5: s12((e6 << 4) | (e5 >> 4)),
    H6: s8(block2[6] ?? 0),
  };
}

/** The inverse of parseCalibration: the bytes a chip with this calibration holds. */
export function encodeCalibration(c: Bme280Calibration): { block1: number[]; block2: number[] } {
  const le = (v: number) => [v & 0xff, (v >> 8) & 0xff];
  const block1 = [
    ...[c.T1, c.T2, c.T3, c.P1, c.P2, c.P3, c.P4, c.P5, c.P6, c.P7, c.P8, c.P9].flatMap(le),
    0,
    c.H1 & 0xff,
  ];
  const h4 = c.H4 & 0xfff;
  const h5 = c.H5 & 0xfff;
  const block2 = [
    ...le(c.H2),
    c.H3 & 0xff,
    h4 >> 4,
    ((h5 & 0x0f) << 4) | (h4 & 0x0f),
    h5 >> 4,
    c.H6 & 0xff,
  ];
  return { block1, block2 };
}

/** Registers 0xF7-0xFE: pressure and temperature are 20-bit (msb, lsb, xlsb[7:4]), humidity 16. */
export function parseData(bytes: ArrayLike<number>): Bme280Adc {
  const b = (i: number) => bytes[i] ?? 0;
  return {
    pressure: (b(0) << 12) | (b(1) << 4) | (b(2) >> 4),
    temperature: (b(3) << 12) | (b(4) << 4) | (b(5) >> 4),
    humidity: (b(6) << 8) | b(7),
  };
}

export function encodeData(adc: Bme280Adc): number[] {
  const twenty = (v: number) => [(v >> 12) & 0xff, (v >> 4) & 0xff, (v & 0x0f) << 4];
  return [
    ...twenty(adc.pressure),
    ...twenty(adc.temperature),
    (adc.humidity >> 8) & 0xff,
    adc.humidity & 0xff,
  ];
}
