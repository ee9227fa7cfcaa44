/**
 * A PWM output (dimmed LED, MOSFET or motor driver input). The duty cycle is 0-255 as Arduino's
 * analogWrite and Firmata's ANALOG_MESSAGE take it (Firmata protocol: "analog I/O message",
 * 8-bit PWM on the ATmega); Espruino targets scale it to analogWrite's 0-1.
 */
import type { ActuatorPart } from '../types.js';
import { validateNumber } from './actuator-values.js';

export const pwm: ActuatorPart = {
  kind: 'pwm',
  name: 'PWM output (duty 0-255)',
  category: 'actuator',
  interface: 'pwm',
  capability: 'pwm',
  datasheet: 'Arduino analogWrite() reference; Firmata protocol, analog message',
  needs: { supply: 'logic', supplyVolts: [0, 5.5] },
  params: {},
  value: { type: 'number', range: [0, 255], integer: true },
  validateValue: (value) => validateNumber('pwm', value, [0, 255], true),
};
