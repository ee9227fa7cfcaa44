/**
 * How each catalog part is wired: its terminals (each going to a board pin or a supply rail) and
 * the components between them (pull-ups, divider resistors, the switch, the LED). The values come
 * from the catalog's `needs`, so the diagram and the checks agree.
 */
import { getPart } from '../catalog/index.js';
import type { PartNeeds } from '../catalog/types.js';

/** What a terminal connects to: a board pin (by its name), a supply rail, or ground. */
export type TerminalNet =
  | { kind: 'pin'; pin: string; role: 'signal' | 'sda' | 'scl' }
  | { kind: 'supply'; rail: 'logic' | '3V3' | '5V' }
  | { kind: 'ground' };

export interface Terminal {
  label: string;
  net: TerminalNet;
}

export type ElementKind = 'resistor' | 'ldr' | 'ntc' | 'switch' | 'led';

/** A component between two terminals (indices into `terminals`); a chain is drawn in series. */
export interface Element {
  chain: { kind: ElementKind; label: string }[];
  from: number;
  to: number;
}

export interface Circuit {
  terminals: Terminal[];
  elements: Element[];
  /** The chip or module the terminals end at; absent when the elements are the whole part. */
  block?: string;
  /** Notes drawn under the part ("on-board pull-ups"). */
  notes: string[];
}

export interface CircuitInput {
  kind: string;
  /** The signal pin's board name (absent for I2C parts). */
  pin?: string;
  i2c?: { sda: string; scl: string; address: number; pullupOhms?: number; drawPullups: boolean };
  params: Record<string, number | string | boolean>;
}

export function ohms(value: number): string {
  if (value >= 1e6) return `${trim(value / 1e6)} MΩ`;
  if (value >= 1e3) return `${trim(value / 1e3)} kΩ`;
  return `${value} Ω`;
}
const trim = (n: number) => String(Number(n.toFixed(2)));

const supply = (rail: PartNeeds['supply']): TerminalNet => ({ kind: 'supply', rail });
const ground: TerminalNet = { kind: 'ground' };
const signal = (pin: string): TerminalNet => ({ kind: 'pin', pin, role: 'signal' });

export function circuitFor(input: CircuitInput): Circuit {
  const part = getPart(input.kind);
  const needs = part.needs;
  const pin = input.pin ?? '?';
  const vcc = supply(needs.supply);
  const series = (key: string, fallback: number) => {
    const v = input.params[key];
    return ohms(typeof v === 'number' ? v : fallback);
  };
  switch (input.kind) {
    case 'tmp36':
    case 'lm35':
      return {
        terminals: [t('+Vs', vcc), t('Vout', signal(pin)), t('GND', ground)],
        elements: [],
        block: part.kind.toUpperCase(),
        notes: [],
      };
    case 'ntc':
      return {
        terminals: [t('VCC', vcc), t('SIG', signal(pin)), t('GND', ground)],
        elements: [
          el(0, 1, 'resistor', series('seriesResistor', needs.divider ?? 10000)),
          el(1, 2, 'ntc', `NTC ${series('r0', 10000)}`),
        ],
        notes: ['divider: resistor to the supply, thermistor to ground'],
      };
    case 'photoresistor':
      return {
        terminals: [t('VCC', vcc), t('SIG', signal(pin)), t('GND', ground)],
        elements: [
          el(0, 1, 'ldr', 'LDR GL5528'),
          el(1, 2, 'resistor', series('seriesResistor', needs.divider ?? 10000)),
        ],
        notes: ['divider: LDR to the supply, resistor to ground'],
      };
    case 'button': {
      const pullup = input.params.wiring !== 'pulldown';
      const r = ohms(needs.pullup ?? 10000);
      return {
        terminals: [t('VCC', vcc), t('SIG', signal(pin)), t('GND', ground)],
        elements: pullup
          ? [el(0, 1, 'resistor', `${r} pull-up`), el(1, 2, 'switch', 'button')]
          : [el(0, 1, 'switch', 'button'), el(1, 2, 'resistor', `${r} pull-down`)],
        notes: [pullup ? 'pressed reads LOW' : 'pressed reads HIGH'],
      };
    }
    case 'pir':
      return {
        terminals: [t('VCC', vcc), t('OUT', signal(pin)), t('GND', ground)],
        elements: [],
        block: 'HC-SR501',
        notes: [],
      };
    case 'ds18b20':
      return {
        terminals: [t('VDD', vcc), t('DQ', signal(pin)), t('GND', ground)],
        elements: [el(0, 1, 'resistor', `${ohms(needs.pullup ?? 4700)} pull-up`)],
        block: 'DS18B20',
        notes: [],
      };
    case 'bme280': {
      const bus = input.i2c;
      const terminals = [
        t('VIN', vcc),
        t('SDA', { kind: 'pin', pin: bus?.sda ?? '?', role: 'sda' }),
        t('SCL', { kind: 'pin', pin: bus?.scl ?? '?', role: 'scl' }),
        t('GND', ground),
      ];
      const r = ohms(needs.pullup ?? 4700);
      const notes = [`I2C address 0x${(bus?.address ?? 0x76).toString(16)}`];
      const elements: Element[] = [];
      if (bus?.pullupOhms) notes.push(`the board has ${ohms(bus.pullupOhms)} I2C pull-ups`);
      else if (bus?.drawPullups) elements.push(el(0, 1, 'resistor', r), el(0, 2, 'resistor', r));
      else notes.push('I2C pull-ups: drawn on the first part of this bus');
      return { terminals, elements, block: 'BME280', notes };
    }
    case 'led':
      return {
        terminals: [t('SIG', signal(pin)), t('GND', ground)],
        elements: [
          {
            from: 0,
            to: 1,
            chain: [
              { kind: 'resistor', label: ohms(needs.seriesResistor ?? 220) },
              { kind: 'led', label: 'LED' },
            ],
          },
        ],
        notes: [],
      };
    case 'relay':
      return {
        terminals: [t('VCC', vcc), t('IN', signal(pin)), t('GND', ground)],
        elements: [],
        block: 'relay module',
        notes: input.params.activeLow ? ['switches on LOW'] : [],
      };
    case 'servo':
      return {
        terminals: [t('V+ (red)', vcc), t('SIG (orange)', signal(pin)), t('GND (brown)', ground)],
        elements: [],
        block: 'SG90 servo',
        notes: [],
      };
    case 'pwm':
      return {
        terminals: [t('PWM', signal(pin)), t('GND', ground)],
        elements: [],
        block: 'PWM load',
        notes: [],
      };
    default:
      throw new Error(`no wiring for part ${JSON.stringify(input.kind)}`);
  }
}

function t(label: string, net: TerminalNet): Terminal {
  return { label, net };
}

function el(from: number, to: number, kind: ElementKind, label: string): Element {
  return { from, to, chain: [{ kind, label }] };
}
