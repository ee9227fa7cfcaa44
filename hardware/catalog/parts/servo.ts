/**
 * Hobby servo (SG90). TowerPro SG90 datasheet: 4.8 V to 6 V supply, 50 Hz PWM, about 180° of
 * travel, pulse 1 ms to 2 ms (many units travel further at 0.5 ms to 2.4 ms). The value is an
 * angle in degrees; `min` and `max` narrow it for a linkage that cannot take the full swing.
 * Power it from 5 V, not from a 3.3 V regulator: it draws hundreds of mA when it moves.
 */
import type { ActuatorPart } from '../types.js';
import { numberOr, validateNumber } from './actuator-values.js';

export const servo: ActuatorPart = {
  kind: 'servo',
  name: 'Hobby servo (SG90, 0-180°)',
  category: 'actuator',
  interface: 'servo',
  capability: 'servo',
  datasheet: 'TowerPro SG90 datasheet (supply 4.8-6 V, 50 Hz, 1-2 ms pulse)',
  needs: { supply: '5V', supplyVolts: [4.8, 6] },
  params: {
    min: {
      type: 'number',
      default: 0,
      min: 0,
      max: 180,
      unit: '°',
      description: 'smallest angle allowed',
    },
    max: {
      type: 'number',
      default: 180,
      min: 0,
      max: 180,
      unit: '°',
      description: 'largest angle allowed',
    },
  },
  value: { type: 'number', range: [0, 180], integer: false },
  validateValue: (value, params) =>
    validateNumber(
      'servo',
      value,
      [numberOr(params, 'min', 0), numberOr(params, 'max', 180)],
      false,
      '°',
    ),
};
