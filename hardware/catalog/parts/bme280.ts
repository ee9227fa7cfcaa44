/**
 * BME280 temperature, humidity and pressure sensor on I2C. Bosch BME280 datasheet
 * (BST-BME280-DS002): operating range −40 to +85 °C, 0 to 100 %RH, 300 to 1100 hPa (Table 1);
 * I2C address 0x76 with SDO to GND, 0x77 with SDO to VDDIO (§6.2); supply 1.71 V to 3.6 V
 * (breakout boards with a regulator accept 5 V); a forced measurement at ×1 oversampling takes
 * under 10 ms (§9.1). The I2C lines need pull-ups (4.7 kΩ; many breakouts carry 10 kΩ).
 * Raw value: the counts from 0xF7-0xFE and the chip's calibration (see bme280-registers.ts).
 */
import { round } from '../analog.js';
import type { QuantitySpec, SensorPart } from '../types.js';
import {
  adcFor,
  type Bme280Adc,
  type Bme280Calibration,
  compensate,
} from './bme280-compensation.js';
import { BME280_ADDRESSES, SAMPLE_CALIBRATION } from './bme280-registers.js';

export interface Bme280Raw {
  adc: Bme280Adc;
  calibration: Bme280Calibration;
}

const temperature: QuantitySpec = {
  quantity: 'temperature',
  unit: '°C',
  range: [-40, 85],
  decimals: 2,
};
const humidity: QuantitySpec = { quantity: 'humidity', unit: '%', range: [0, 100], decimals: 2 };
const pressure: QuantitySpec = {
  quantity: 'pressure',
  unit: 'hPa',
  range: [300, 1100],
  decimals: 2,
};

export const bme280: SensorPart<Bme280Raw> = {
  kind: 'bme280',
  name: 'BME280 temperature, humidity and pressure sensor (I2C)',
  category: 'sensor',
  interface: 'i2c',
  datasheet: 'Bosch BME280 (BST-BME280-DS002), Table 1, §6.2, §8.1, §9.1',
  quantities: [temperature, humidity, pressure],
  i2cAddresses: [...BME280_ADDRESSES],
  defaultSampleMs: 2000,
  minSampleMs: 10,
  needs: { supply: '3V3', supplyVolts: [1.71, 3.6], pullup: 4700 },
  params: {},
  convert(raw) {
    const c = compensate(raw.adc, raw.calibration);
    return {
      temperature: round(c.temperature, temperature),
      humidity: round(c.humidity, humidity),
      pressure: round(c.pressure / 100, pressure),
    };
  },
  /** With the sample calibration; virtual chips with their own use bme280RawFor. */
  rawFor(reading) {
    return bme280RawFor(
      {
        temperature: Number(reading.temperature),
        humidity: Number(reading.humidity),
        pressure: Number(reading.pressure),
      },
      SAMPLE_CALIBRATION,
    );
  },
};

/** The raw value a chip with `calibration` reports for `reading` (°C, %, hPa). */
export function bme280RawFor(
  reading: { temperature: number; humidity: number; pressure: number },
  calibration: Bme280Calibration,
): Bme280Raw {
  return {
    adc: adcFor(
      { celsius: reading.temperature, pascals: reading.pressure * 100, percent: reading.humidity },
      calibration,
    ),
    calibration,
  };
}
