/**
 * BME280 over I2C (Bosch datasheet BST-BME280-DS002): calibration from 0x88-0xA1 and
 * 0xE1-0xE7 (section 5.4, table 16), raw data from 0xF7-0xFE, and the double-precision
 * compensation formulas of appendix 8.1. Temperature in °C, humidity in %RH, pressure in hPa,
 * in the order of the catalog's channels (temperature, humidity, pressure).
 */
import { LOGS } from '../features.js';
import type { DriverFactory, ReadDone } from './types.js';

/** 0x88-0xA1 in one read: dig_T1..T3 and dig_P1..P9 (12 little-endian words), a reserved
 *  byte, dig_H1. */
const REG_CALIB_A = 0x88;
const CALIB_A_LENGTH = 26;
/** 0xE1-0xE7: dig_H2..H6. */
const REG_CALIB_H = 0xe1;
const REG_DATA = 0xf7;

/**
 * The calibration as one array: [T1, T2, T3, P1 … P9, H1 … H6] (table 16). T1 and P1 are
 * unsigned words, the others signed; H4 and H5 are 12-bit values sharing 0xE5. A value is
 * sign-extended by shifting its top bit to bit 31 and back (`x << 16 >> 16` for a word).
 */
export function parseBme280Calibration(a: ArrayLike<number>, h: ArrayLike<number>): number[] {
  const c: number[] = [];
  for (let i = 0; i < 24; i += 2) {
    const word = (a[i] << 16) | (a[i + 1] << 24);
    c.push(i === 0 || i === 6 ? word >>> 16 : word >> 16);
  }
  c.push(
    a[25],
    ((h[0] << 16) | (h[1] << 24)) >> 16,
    h[2],
    ((h[3] << 24) | ((h[4] & 0x0f) << 20)) >> 20,
    ((h[5] << 24) | ((h[4] & 0xf0) << 16)) >> 20,
    (h[6] << 24) >> 24,
  );
  return c;
}

/** Appendix 8.1: returns [°C, %RH, hPa]. `c` as parseBme280Calibration returns it. */
export function compensateBme280(c: number[], raw: ArrayLike<number>): number[] {
  const adcP = (raw[0] << 12) | (raw[1] << 4) | (raw[2] >> 4);
  const adcT = (raw[3] << 12) | (raw[4] << 4) | (raw[5] >> 4);
  const adcH = (raw[6] << 8) | raw[7];
  let v1 = (adcT / 16384 - c[0] / 1024) * c[1];
  let v2 = adcT / 131072 - c[0] / 8192;
  const tFine = v1 + v2 * v2 * c[2];

  v1 = tFine / 2 - 64000;
  v2 = (v1 * v1 * c[8]) / 32768 + v1 * c[7] * 2;
  v2 = v2 / 4 + c[6] * 65536;
  v1 = (1 + ((c[5] * v1 * v1) / 524288 + c[4] * v1) / 524288 / 32768) * c[3];
  let pa = 0;
  if (v1 !== 0) {
    pa = ((1048576 - adcP - v2 / 4096) * 6250) / v1;
    pa += ((c[11] * pa * pa) / 2147483648 + (pa * c[10]) / 32768 + c[9]) / 16;
  }

  let hv = tFine - 76800;
  hv =
    (adcH - (c[15] * 64 + (c[16] / 16384) * hv)) *
    ((c[13] / 65536) * (1 + (c[17] / 67108864) * hv * (1 + (c[14] / 67108864) * hv)));
  hv = hv * (1 - (c[12] * hv) / 524288);
  return [tFine / 5120, Math.min(100, Math.max(0, hv)), pa / 100];
}

export const bme280: DriverFactory = (sensor, context) => {
  const io = context.io;
  const address = sensor.address || 0x76;
  let calibration: number[] | null = null;
  // Humidity oversampling x1 (must precede ctrl_meas), then temperature and pressure x1 in
  // normal mode, 1000 ms standby (datasheet 5.4.3-5.4.6).
  io.i2cWrite(address, [0xf2, 0x01, 0xf4, 0x27, 0xf5, 0xa0]);

  /** Reads `length` bytes from `register` into `next`; a read that fails ends the sample. */
  function get(
    register: number,
    length: number,
    done: ReadDone,
    next: (bytes: ArrayLike<number>) => void,
  ): void {
    io.i2cRead(address, register, length, (bytes, why) => {
      if (bytes !== null) next(bytes);
      else if (LOGS) done([], why || `no answer from register 0x${register.toString(16)}`);
      else done([]);
    });
  }

  function read(done: ReadDone): void {
    const c = calibration;
    if (c !== null) get(REG_DATA, 8, done, (raw) => done(compensateBme280(c, raw)));
    // The calibration is read once, at the first sample.
    else
      get(REG_CALIB_A, CALIB_A_LENGTH, done, (a) =>
        get(REG_CALIB_H, 7, done, (h) => {
          calibration = parseBme280Calibration(a, h);
          read(done);
        }),
      );
  }

  return { read };
};
