/**
 * LED on a digital output, through a series resistor. A red 5 mm LED drops about 2 V at 20 mA
 * (e.g. Kingbright L-53HD datasheet: VF typ. 2.0 V, IF max 30 mA); 220 Ω from a 5 V pin gives
 * (5 − 2) / 220 ≈ 14 mA, from 3.3 V about 6 mA: both bright and within an ATmega pin's 20 mA.
 */
import type { ActuatorPart } from '../types.js';
import { validateOnOff } from './actuator-values.js';

export const led: ActuatorPart = {
  kind: 'led',
  name: 'LED with a 220 Ω series resistor',
  category: 'actuator',
  interface: 'digital',
  capability: 'digital-out',
  datasheet: 'Kingbright L-53HD (VF 2.0 V typ., IF 20 mA)',
  needs: { supply: 'logic', supplyVolts: [1.8, 5.5], seriesResistor: 220 },
  params: {},
  value: { type: 'boolean' },
  validateValue: (value) => validateOnOff('led', value),
};
