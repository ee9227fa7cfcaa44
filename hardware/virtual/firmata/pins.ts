/**
 * Pin tables of the simulated Arduinos, built the way StandardFirmata's Boards.h describes each
 * board (IS_PIN_DIGITAL, IS_PIN_ANALOG, IS_PIN_PWM, IS_PIN_I2C, TOTAL_PINS), so that the
 * capability and analog mapping responses are the ones a real board sends.
 *
 * These are the board's own facts from Boards.h, kept here so the virtual board does not depend
 * on the hardware profiles' JSON; the names ("13", "D13", "A0") match the device configs.
 */
import { PinMode, type PinModeValue } from './constants.js';

export type VirtualBoardId = 'uno' | 'nano' | 'mega';
export const VIRTUAL_BOARD_IDS: readonly VirtualBoardId[] = ['uno', 'nano', 'mega'];

export interface VirtualPin {
  /** Firmata pin number. */
  number: number;
  /** Names that refer to this pin in configs and tests: "13", "D13"; "14", "D14", "A0". */
  names: string[];
  /** Supported modes with their resolution in bits, in StandardFirmata's reporting order. */
  modes: [PinModeValue, number][];
  /** Analog channel (A0 → 0), absent for pins without an ADC. */
  analogChannel?: number;
}

export interface VirtualBoardProfile {
  id: VirtualBoardId;
  name: string;
  /** ADC reference and full scale: 5 V, 10 bits on these AVR boards. */
  vref: number;
  adcBits: number;
  pins: VirtualPin[];
  /** Servo.h's MAX_SERVOS: 12 per 16-bit timer. */
  maxServos: number;
  /** What the USB serial port reports in a port listing (the genuine boards' USB ids). */
  usb: { manufacturer: string; vendorId: string; productId: string };
}

interface BoardRules {
  name: string;
  totalPins: number;
  /** First analog pin's Firmata number and the number of analog channels. */
  firstAnalog: number;
  analogCount: number;
  isDigital(pin: number): boolean;
  pwm: number[];
  i2c: number[];
  maxServos: number;
  usb: VirtualBoardProfile['usb'];
}

// Boards.h: "Arduino Duemilanove, Diecimila, and NG" / ATmega328P (Uno).
const UNO: BoardRules = {
  name: 'Arduino Uno',
  totalPins: 20,
  firstAnalog: 14,
  analogCount: 6,
  isDigital: (p) => p >= 2 && p <= 19,
  pwm: [3, 5, 6, 9, 10, 11],
  i2c: [18, 19],
  maxServos: 12,
  // The Uno R3's ATmega16U2 USB bridge.
  usb: { manufacturer: 'Arduino (www.arduino.cc)', vendorId: '2341', productId: '0043' },
};

// Boards.h: the Nano has A6 and A7, analog-only (TOTAL_ANALOG_PINS 8, TOTAL_PINS 22).
// The classic Nano's FT232RL USB bridge.
const NANO: BoardRules = {
  ...UNO,
  name: 'Arduino Nano',
  totalPins: 22,
  analogCount: 8,
  usb: { manufacturer: 'FTDI', vendorId: '0403', productId: '6001' },
};

// Boards.h: "Arduino Mega" (ATmega1280/2560): 70 pins, A0 = 54.
const MEGA: BoardRules = {
  name: 'Arduino Mega 2560',
  totalPins: 70,
  firstAnalog: 54,
  analogCount: 16,
  isDigital: (p) => p >= 2 && p < 70,
  pwm: [2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 44, 45, 46],
  i2c: [20, 21],
  maxServos: 48,
  usb: { manufacturer: 'Arduino (www.arduino.cc)', vendorId: '2341', productId: '0042' },
};

const RULES: Record<VirtualBoardId, BoardRules> = { uno: UNO, nano: NANO, mega: MEGA };

function buildPin(rules: BoardRules, number: number): VirtualPin {
  const channel = number - rules.firstAnalog;
  const isAnalog = channel >= 0 && channel < rules.analogCount;
  const names = [String(number), `D${number}`];
  if (isAnalog) names.push(`A${channel}`);
  // StandardFirmata's capability order: INPUT, PULLUP, OUTPUT, ANALOG, PWM, SERVO, I2C.
  // ONEWIRE is what ConfigurableFirmata adds for every digital pin; this board answers it too.
  const modes: [PinModeValue, number][] = [];
  const digital = rules.isDigital(number);
  if (digital) modes.push([PinMode.INPUT, 1], [PinMode.PULLUP, 1], [PinMode.OUTPUT, 1]);
  if (isAnalog) modes.push([PinMode.ANALOG, 10]);
  if (rules.pwm.includes(number)) modes.push([PinMode.PWM, 8]);
  if (digital) modes.push([PinMode.SERVO, 14]);
  if (rules.i2c.includes(number)) modes.push([PinMode.I2C, 1]);
  if (digital) modes.push([PinMode.ONEWIRE, 1]);
  return { number, names, modes, ...(isAnalog ? { analogChannel: channel } : {}) };
}

export function virtualBoardProfile(id: string): VirtualBoardProfile {
  if (!(VIRTUAL_BOARD_IDS as readonly string[]).includes(id)) {
    throw new Error(
      `virtual Firmata board: board "${id}" is not simulated; allowed: ${VIRTUAL_BOARD_IDS.join(', ')}`,
    );
  }
  const rules = RULES[id as VirtualBoardId];
  const pins = Array.from({ length: rules.totalPins }, (_, n) => buildPin(rules, n));
  return {
    id: id as VirtualBoardId,
    name: rules.name,
    vref: 5,
    adcBits: 10,
    pins,
    maxServos: rules.maxServos,
    usb: rules.usb,
  };
}

/** Finds a pin by any of its names ("13", "D13", "A0") or its Firmata number. */
export function findPin(profile: VirtualBoardProfile, name: string | number): VirtualPin {
  const key = String(name).trim().toUpperCase();
  const pin = profile.pins.find((p) => p.names.includes(key));
  if (!pin) {
    throw new Error(
      `virtual ${profile.id}: no pin "${name}"; pins are 0-${profile.pins.length - 1}, D0-D${
        profile.pins.length - 1
      } and the analog names A0-A${profile.pins.filter((p) => p.analogChannel !== undefined).length - 1}`,
    );
  }
  return pin;
}
