/**
 * PIR motion sensor module (HC-SR501). HC-SR501 datasheet: supply 4.5 V to 20 V, output HIGH
 * (3.3 V) while motion is detected, LOW otherwise; hold time 0.3 s to 5 min set by its
 * potentiometer, about 1 min to settle after power-up. Its 3.3 V output is safe for 3.3 V and
 * 5 V inputs alike.
 */
import type { QuantitySpec, SensorPart } from '../types.js';

const motion: QuantitySpec = { quantity: 'motion', unit: '', range: [0, 1], boolean: true };

export const pir: SensorPart = {
  kind: 'pir',
  name: 'PIR motion sensor (HC-SR501)',
  category: 'sensor',
  interface: 'digital',
  datasheet: 'HC-SR501 PIR motion detector datasheet, specifications table',
  quantities: [motion],
  defaultSampleMs: 100,
  minSampleMs: 10,
  needs: { supply: '5V', supplyVolts: [4.5, 20] },
  params: {},
  convert(raw) {
    return { motion: raw !== 0 };
  },
  rawFor(reading) {
    return reading.motion ? 1 : 0;
  },
};
