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

/** The signed little-endian word at `i`. A function of the module, not a closure made per
 *  sample: the bundle keeps it once (firmware/espruino/budget.ts). */
function signedWord(b: ArrayLike<number>, i: number): number {
  return ((b[i + 1] << 24) >> 16) | b[i];
}

/**
 * Appendix 8.1: returns [°C, %RH, hPa]. The calibration is read from its bytes where the
 * formulas use it (table 16): `a` from 0x88 (dig_T1 and dig_P1 unsigned words, T2, T3 and
 * P2-P9 signed ones, dig_H1 at 0xA1), `h` from 0xE1 (dig_H2..H6; H4 and H5 are 12-bit values
 * sharing 0xE5). `raw` is 0xF7-0xFE. A byte is sign-extended by shifting its top bit to bit 31
 * and back (`x << 24 >> 24`; `>> 16` instead makes it the high byte of a signed word, `>> 20`
 * the top of a 12-bit value).
 */
export function compensateBme280(
  a: ArrayLike<number>,
  h: ArrayLike<number>,
  raw: ArrayLike<number>,
): number[] {
  const t1 = a[0] | (a[1] << 8);
  const adcP = (raw[0] << 12) | (raw[1] << 4) | (raw[2] >> 4);
  const adcT = (raw[3] << 12) | (raw[4] << 4) | (raw[5] >> 4);
  const adcH = (raw[6] << 8) | raw[7];
  let v1 = (adcT / 16384 - t1 / 1024) * signedWord(a, 2);
  let v2 = adcT / 131072 - t1 / 8192;
  const tFine = v1 + v2 * v2 * signedWord(a, 4);

  v1 = tFine / 2 - 64000;
  v2 = (v1 * v1 * signedWord(a, 16)) / 32768 + v1 * signedWord(a, 14) * 2;
  v2 = v2 / 4 + signedWord(a, 12) * 65536;
  // `/ 2 ** 34` is the datasheet's `/ 524288 / 32768`: both scale by powers of two exactly.
  v1 =
    (1 + ((signedWord(a, 10) * v1 * v1) / 524288 + signedWord(a, 8) * v1) / 17179869184) *
    (a[6] | (a[7] << 8));
  let pa = 0;
  if (v1 !== 0) {
    pa = ((1048576 - adcP - v2 / 4096) * 6250) / v1;
    pa +=
      ((signedWord(a, 22) * pa * pa) / 2147483648 +
        (pa * signedWord(a, 20)) / 32768 +
        signedWord(a, 18)) /
      16;
  }

  const h4 = ((h[3] << 24) >> 20) | (h[4] & 0x0f);
  const h5 = ((h[5] << 24) >> 20) | (h[4] >> 4);
  let hv = tFine - 76800;
  hv =
    (adcH - (h4 * 64 + (h5 / 16384) * hv)) *
    ((signedWord(h, 0) / 65536) *
      (1 + (((h[6] << 24) >> 24) / 67108864) * hv * (1 + (h[2] / 67108864) * hv)));
  hv = hv * (1 - (a[25] * hv) / 524288);
  return [tFine / 5120, Math.min(100, Math.max(0, hv)), pa / 100];
}

export const bme280: DriverFactory = (sensor, context) => {
  const io = context.io;
  // The config's address or the catalog's default (plan.ts).
  const address = sensor.address as number;
  /** The calibration bytes (compensateBme280), read once, at the first sample. */
  let a: ArrayLike<number> | undefined;
  let h: ArrayLike<number> | undefined;
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
    // An array of bytes is truthy, however short; a failed read answers null.
    io.i2cRead(address, register, length, (bytes, why) =>
      bytes
        ? next(bytes)
        : LOGS
          ? done([], why || `no answer from register 0x${register.toString(16)}`)
          : done([]),
    );
  }

  function read(done: ReadDone): void {
    // Both calibration blocks are set together (arrays: truthy once read).
    if (h)
      get(REG_DATA, 8, done, (raw) =>
        done(compensateBme280(a as ArrayLike<number>, h as ArrayLike<number>, raw)),
      );
    else
      get(REG_CALIB_A, CALIB_A_LENGTH, done, (bytesA) =>
        get(REG_CALIB_H, 7, done, (bytesH) => {
          a = bytesA;
          h = bytesH;
          read(done);
        }),
      );
  }

  return { read };
};
