/**
 * BME280 over I2C (Bosch datasheet BST-BME280-DS002): calibration from 0x88-0xA1 and
 * 0xE1-0xE7 (section 5.4, table 16), raw data from 0xF7-0xFE, and the double-precision
 * compensation formulas of appendix 8.1. Temperature in °C, humidity in %RH, pressure in hPa.
 */
import type { DriverFactory } from './types.js';
import { round } from './types.js';

const REG_CALIB_A = 0x88;
const REG_CALIB_H1 = 0xa1;
const REG_CALIB_H = 0xe1;
const REG_CTRL_HUM = 0xf2;
const REG_CTRL_MEAS = 0xf4;
const REG_CONFIG = 0xf5;
const REG_DATA = 0xf7;

interface Calibration {
  t: number[];
  p: number[];
  h: number[];
}

function u16(b: number[], i: number): number {
  return (b[i] as number) | ((b[i + 1] as number) << 8);
}
function s16(b: number[], i: number): number {
  const v = u16(b, i);
  return v > 32767 ? v - 65536 : v;
}
function s12(v: number): number {
  return v > 2047 ? v - 4096 : v;
}

function parseCalibration(a: number[], h1: number, h: number[]): Calibration {
  const e4 = h[3] as number;
  const e5 = h[4] as number;
  const e6 = h[5] as number;
  const h6 = h[6] as number;
  return {
    t: [u16(a, 0), s16(a, 2), s16(a, 4)],
    p: [
      u16(a, 6),
      s16(a, 8),
      s16(a, 10),
      s16(a, 12),
      s16(a, 14),
      s16(a, 16),
      s16(a, 18),
      s16(a, 20),
      s16(a, 22),
    ],
    h: [
      h1,
      s16(h, 0),
      h[2] as number,
      s12((e4 << 4) | (e5 & 0x0f)),
      s12((e6 << 4) | (e5 >> 4)),
      h6 > 127 ? h6 - 256 : h6,
    ],
  };
}

/** Appendix 8.1: returns [°C, %RH, hPa]. */
export function compensateBme280(c: Calibration, raw: number[]): number[] {
  const adcP = ((raw[0] as number) << 12) | ((raw[1] as number) << 4) | ((raw[2] as number) >> 4);
  const adcT = ((raw[3] as number) << 12) | ((raw[4] as number) << 4) | ((raw[5] as number) >> 4);
  const adcH = ((raw[6] as number) << 8) | (raw[7] as number);
  const t = c.t;
  const p = c.p;
  const h = c.h;
  let v1 = (adcT / 16384 - (t[0] as number) / 1024) * (t[1] as number);
  let v2 = adcT / 131072 - (t[0] as number) / 8192;
  v2 = v2 * v2 * (t[2] as number);
  const tFine = v1 + v2;
  const celsius = tFine / 5120;

  v1 = tFine / 2 - 64000;
  v2 = (v1 * v1 * (p[5] as number)) / 32768;
  v2 = v2 + v1 * (p[4] as number) * 2;
  v2 = v2 / 4 + (p[3] as number) * 65536;
  v1 = (((p[2] as number) * v1 * v1) / 524288 + (p[1] as number) * v1) / 524288;
  v1 = (1 + v1 / 32768) * (p[0] as number);
  let pa = 0;
  if (v1 !== 0) {
    pa = 1048576 - adcP;
    pa = ((pa - v2 / 4096) * 6250) / v1;
    const w1 = ((p[8] as number) * pa * pa) / 2147483648;
    const w2 = (pa * (p[7] as number)) / 32768;
    pa = pa + (w1 + w2 + (p[6] as number)) / 16;
  }

  let hv = tFine - 76800;
  hv =
    (adcH - ((h[3] as number) * 64 + ((h[4] as number) / 16384) * hv)) *
    (((h[1] as number) / 65536) *
      (1 + ((h[5] as number) / 67108864) * hv * (1 + ((h[2] as number) / 67108864) * hv)));
  hv = hv * (1 - ((h[0] as number) * hv) / 524288);
  if (hv > 100) hv = 100;
  if (hv < 0) hv = 0;
  return [celsius, hv, pa / 100];
}

const DECIMALS: Record<string, number> = { temperature: 2, humidity: 2, pressure: 2 };
const INDEX: Record<string, number> = { temperature: 0, humidity: 1, pressure: 2 };

export const bme280: DriverFactory = (context) => {
  const io = context.io;
  const address = context.sensor.address === null ? 0x76 : context.sensor.address;
  const channels = context.sensor.channels;
  let calibration: Calibration | null = null;
  // Humidity oversampling x1 (must precede ctrl_meas), then temperature and pressure x1 in
  // normal mode, 1000 ms standby (datasheet 5.4.3-5.4.6).
  io.i2cWrite(address, [REG_CTRL_HUM, 0x01]);
  io.i2cWrite(address, [REG_CTRL_MEAS, 0x27]);
  io.i2cWrite(address, [REG_CONFIG, 0xa0]);

  function readData(done: (error: string | null, values: (number | boolean)[] | null) => void) {
    io.i2cRead(address, REG_DATA, 8, (error, raw) => {
      if (error !== null || raw === null) return done(error || 'no data', null);
      const all = compensateBme280(calibration as Calibration, raw);
      const values: number[] = [];
      for (let i = 0; i < channels.length; i++) {
        const kind = (channels[i] as { kind: string }).kind;
        values.push(round(all[INDEX[kind] as number] as number, DECIMALS[kind] as number));
      }
      done(null, values);
    });
  }

  return {
    read(done) {
      if (calibration !== null) return readData(done);
      io.i2cRead(address, REG_CALIB_A, 24, (e1, a) => {
        if (e1 !== null || a === null) return done(e1 || 'no calibration', null);
        io.i2cRead(address, REG_CALIB_H1, 1, (e2, h1) => {
          if (e2 !== null || h1 === null) return done(e2 || 'no calibration', null);
          io.i2cRead(address, REG_CALIB_H, 7, (e3, h) => {
            if (e3 !== null || h === null) return done(e3 || 'no calibration', null);
            calibration = parseCalibration(a, h1[0] as number, h);
            readData(done);
          });
        });
      });
    },
  };
};
