/**
 * Relay module (SRD-05VDC-SL-C relay with a driver transistor and flyback diode on the board):
 * the coil takes about 70 mA at 5 V (SRD datasheet: 5 V coil, 71.4 Ω… 89.3 mA max), too much for a
 * GPIO pin, so the module's transistor drives it and the pin only sees its input. Many modules
 * switch on a LOW input: set `activeLow`.
 */
import type { ActuatorPart } from '../types.js';
import { validateOnOff } from './actuator-values.js';

export const relay: ActuatorPart = {
  kind: 'relay',
  name: 'Relay module (5 V coil, transistor driver)',
  category: 'actuator',
  interface: 'digital',
  capability: 'digital-out',
  datasheet: 'Songle SRD-05VDC-SL-C relay datasheet, coil data table',
  needs: { supply: '5V', supplyVolts: [4.5, 5.5] },
  params: {
    activeLow: {
      type: 'boolean',
      default: false,
      description: 'the module switches on a LOW input',
    },
  },
  value: { type: 'boolean' },
  validateValue: (value) => validateOnOff('relay', value),
};
