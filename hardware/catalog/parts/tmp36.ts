/**
 * TMP36 analog temperature sensor. Analog Devices TMP35/TMP36/TMP37 datasheet Rev. H, Table 4:
 * output scale factor 10 mV/°C, 750 mV at 25 °C (so a 500 mV offset at 0 °C), specified from
 * −40 °C to +125 °C, supply 2.7 V to 5.5 V.
 */
import { countsToVolts, round, voltsToCounts } from '../analog.js';
import type { QuantitySpec, SensorPart } from '../types.js';

const temperature: QuantitySpec = {
  quantity: 'temperature',
  unit: '°C',
  range: [-40, 125],
  decimals: 2,
};

export const tmp36: SensorPart = {
  kind: 'tmp36',
  name: 'TMP36 analog temperature sensor',
  category: 'sensor',
  interface: 'analog',
  datasheet: 'Analog Devices TMP35/TMP36/TMP37 Rev. H, Table 4',
  quantities: [temperature],
  defaultSampleMs: 1000,
  minSampleMs: 10,
  needs: { supply: 'logic', supplyVolts: [2.7, 5.5] },
  params: {},
  convert(raw, ctx) {
    const volts = countsToVolts(raw, ctx);
    return { temperature: round((volts - 0.5) * 100, temperature) };
  },
  rawFor(reading, ctx) {
    return voltsToCounts(Number(reading.temperature) / 100 + 0.5, ctx);
  },
};
