/**
 * Which simulated part sits on which pin, and what the pin then reads. Built from a DeviceConfig
 * (its sensors) or from a plain list of parts in the same shape: `{ part, pin?, address?, params? }`.
 *
 * Analog parts turn the world into a voltage at the pin (datasheet transfer functions):
 *   tmp36          V = 0.5 V + 10 mV/°C · T                 (Analog Devices TMP35/36/37, Table 4)
 *   lm35           V = 10 mV/°C · T                         (TI LM35, section 7.3)
 *   ntc            NTC from pin to GND, `seriesResistor` (10 kΩ) from pin to Vcc;
 *                  R = r0 · exp(beta · (1/T − 1/T0)), r0 10 kΩ at t0 25 °C, beta 3950
 *   photoresistor  GL5528 LDR from Vcc to pin, `seriesResistor` (10 kΩ) from pin to GND;
 *                  R = r10 · (lux / 10)^−gamma (r10 10 kΩ, gamma 0.6), at most 1 MΩ (dark)
 * (the same wiring and parameter names as the catalog entries in hardware/catalog/parts).
 * Digital parts: button (`wiring` "pullup", the default: to GND with a pull-up, pressed reads
 * 0; "pulldown": to Vcc, pressed reads 1), pir (high while it sees motion).
 * Bus parts: ds18b20 on a 1-Wire pin, bme280 at an I2C address (0x76, the default, or 0x77).
 */
import type { DeviceConfig } from '../../config/types.js';
import { Bme280Chip } from '../bme280-chip.js';
import { Ds18b20Chip } from '../ds18b20-chip.js';
import type { World } from '../world.js';
import type { I2cPeripheral, OneWirePeripheral } from './buses.js';
import { findPin, type VirtualBoardProfile } from './pins.js';

export interface VirtualPart {
  part: string;
  pin?: string;
  address?: number;
  params?: Record<string, number | string | boolean>;
}

export const SIMULATED_PARTS = [
  'tmp36',
  'lm35',
  'ntc',
  'photoresistor',
  'button',
  'pir',
  'ds18b20',
  'bme280',
] as const;

/** Logic level at a digital input. */
export type DigitalSource = () => boolean;
/** Volts at an analog input. */
export type AnalogSource = () => number;

/** A GL5528's dark resistance (its datasheet: 1 MΩ after 10 s in the dark). */
const DARK_OHMS = 1_000_000;

export interface Wiring {
  analog: Map<number, AnalogSource>;
  digital: Map<number, DigitalSource>;
  i2c: I2cPeripheral[];
  onewire: Map<number, OneWirePeripheral[]>;
}

/** A numeric part parameter: positive unless `anySign` (a reference temperature may be ≤ 0). */
function numberParam(part: VirtualPart, name: string, fallback: number, anySign = false): number {
  const value = part.params?.[name];
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isFinite(value) || (!anySign && value <= 0)) {
    throw new Error(
      `virtual board: ${part.part} params.${name} is ${JSON.stringify(value)}; ${
        anySign ? 'a number' : 'a positive number'
      } is required`,
    );
  }
  return value;
}

export function buildWiring(
  parts: VirtualPart[],
  profile: VirtualBoardProfile,
  world: World,
): Wiring {
  const wiring: Wiring = { analog: new Map(), digital: new Map(), i2c: [], onewire: new Map() };
  const vcc = profile.vref;
  parts.forEach((part, index) => {
    const where = `parts[${index}] (${part.part})`;
    const needPin = () => {
      if (part.pin === undefined) throw new Error(`virtual board: ${where} needs a pin`);
      return findPin(profile, part.pin);
    };
    const analogPin = () => {
      const pin = needPin();
      if (pin.analogChannel === undefined) {
        throw new Error(`virtual board: ${where} is on pin ${part.pin}, which has no ADC`);
      }
      return pin.number;
    };
    switch (part.part) {
      case 'tmp36':
        wiring.analog.set(analogPin(), () => 0.5 + 0.01 * world.readTemperature());
        break;
      case 'lm35':
        wiring.analog.set(analogPin(), () => Math.max(0, 0.01 * world.readTemperature()));
        break;
      case 'ntc': {
        const beta = numberParam(part, 'beta', 3950);
        const r0 = numberParam(part, 'r0', 10_000);
        const t0 = numberParam(part, 't0', 25, true) + 273.15;
        const series = numberParam(part, 'seriesResistor', 10_000);
        wiring.analog.set(analogPin(), () => {
          const kelvin = world.readTemperature() + 273.15;
          const r = r0 * Math.exp(beta * (1 / kelvin - 1 / t0));
          return (vcc * r) / (r + series);
        });
        break;
      }
      case 'photoresistor': {
        const r10 = numberParam(part, 'r10', 10_000);
        const gamma = numberParam(part, 'gamma', 0.6);
        const series = numberParam(part, 'seriesResistor', 10_000);
        wiring.analog.set(analogPin(), () => {
          const lux = world.readLux();
          const r = lux > 0 ? Math.min(DARK_OHMS, r10 * (lux / 10) ** -gamma) : DARK_OHMS;
          return (vcc * series) / (series + r);
        });
        break;
      }
      case 'button': {
        const pin = needPin();
        const wiringParam = part.params?.wiring ?? 'pullup';
        if (wiringParam !== 'pullup' && wiringParam !== 'pulldown') {
          throw new Error(
            `virtual board: ${where} params.wiring is ${JSON.stringify(wiringParam)}; allowed: "pullup", "pulldown"`,
          );
        }
        wiring.digital.set(pin.number, () => {
          const pressed = pin.names.some((name) => world.isPressed(name));
          return wiringParam === 'pulldown' ? pressed : !pressed;
        });
        break;
      }
      case 'pir': {
        const pin = needPin();
        wiring.digital.set(pin.number, () => pin.names.some((name) => world.isMotion(name)));
        break;
      }
      case 'ds18b20': {
        const pin = needPin();
        const devices = wiring.onewire.get(pin.number) ?? [];
        const serial = numberParam(part, 'serial', 0x1000 + index + pin.number * 16);
        devices.push(new Ds18b20Chip(() => world.readTemperature(), serial));
        wiring.onewire.set(pin.number, devices);
        break;
      }
      case 'bme280': {
        const address = part.address ?? 0x76;
        if (wiring.i2c.some((device) => device.address === address)) {
          throw new Error(`virtual board: ${where} address 0x${address.toString(16)} is taken`);
        }
        wiring.i2c.push(new Bme280Chip(world, address));
        break;
      }
      default:
        throw new Error(
          `virtual board: ${where}: part "${part.part}" is not simulated; allowed: ${SIMULATED_PARTS.join(', ')}`,
        );
    }
  });
  return wiring;
}

/** The sensors of a device config as virtual parts (actuators need no simulation: the board
 *  records what is written to their pins). Parts the board cannot simulate are an error. */
export function partsFromDevice(device: DeviceConfig): VirtualPart[] {
  return device.sensors.map((sensor) => ({
    part: sensor.part,
    ...(sensor.pin !== undefined ? { pin: sensor.pin } : {}),
    ...(sensor.address !== undefined ? { address: sensor.address } : {}),
    ...(sensor.params !== undefined ? { params: sensor.params } : {}),
  }));
}
