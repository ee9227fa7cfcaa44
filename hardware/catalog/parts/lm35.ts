/**
 * LM35 precision centigrade sensor. TI LM35 datasheet (SNIS159H), §1 and Figure "Basic
 * Centigrade Temperature Sensor": linear +10 mV/°C, 0 mV at 0 °C; in the basic single-supply
 * wiring it reads 2 °C to 150 °C. Supply 4 V to 30 V, so it runs from 5 V only.
 */
import { countsToVolts, round, voltsToCounts } from '../analog.js';
import type { QuantitySpec, SensorPart } from '../types.js';

const temperature: QuantitySpec = {
  quantity: 'temperature',
  unit: '°C',
  range: [2, 150],
  decimals: 2,
};

export const lm35: SensorPart = {
  kind: 'lm35',
  name: 'LM35 analog temperature sensor',
  category: 'sensor',
  interface: 'analog',
  datasheet: 'TI LM35 (SNIS159H), §1 Features and the basic centigrade sensor figure',
  quantities: [temperature],
  defaultSampleMs: 1000,
  minSampleMs: 10,
  needs: { supply: '5V', supplyVolts: [4, 30] },
  params: {},
  convert(raw, ctx) {
    return { temperature: round(countsToVolts(raw, ctx) * 100, temperature) };
  },
  rawFor(reading, ctx) {
    return voltsToCounts(Number(reading.temperature) / 100, ctx);
  },
};
