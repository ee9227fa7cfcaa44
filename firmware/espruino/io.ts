/**
 * The core's PinIO on Espruino: analogRead/digitalWrite/analogWrite on pins, I2C1 and
 * OneWire, called as the interpreter's globals. The build puts the pins themselves into the
 * bundle's plan (`pin: D4`, from the board profile), so a pin needs no lookup by name.
 */
import { I2C, ONEWIRE, PWM, SERVO, WATCH } from '../core/features.js';
import { logText } from '../core/log-text.js';
import type { PinIO } from '../core/types.js';
import type { EspruinoI2C, EspruinoOneWire } from './espruino-globals.js';

declare function analogRead(pin: unknown): number;
declare function digitalRead(pin: unknown): number;
declare function digitalWrite(pin: unknown, value: boolean): void;
declare function analogWrite(pin: unknown, value: number, options: { freq: number }): void;
declare function pinMode(pin: unknown, mode: string): void;
declare function setWatch(
  fn: () => void,
  pin: unknown,
  options: { repeat: boolean; edge: string; debounce: number },
): unknown;
declare const I2C1: EspruinoI2C;
declare const OneWire: new (pin: unknown) => EspruinoOneWire;
declare const process: { memory(): { free: number; total: number } };

export interface EspruinoIOContext {
  /** The I2C1 pins, from the board profile; absent when the config has no I2C sensor. */
  i2c?: { sda: unknown; scl: unknown };
}

// The board's IO, one per bundle: its state and its functions live at the top of the bundle,
// where a function costs the fewest variables (firmware/espruino/budget.ts).
let i2cPins: { sda: unknown; scl: unknown } | undefined;
const wires: Record<string, { bus: EspruinoOneWire; device: string }> = {};

function i2c(): void {
  if (i2cPins === undefined) return;
  I2C1.setup(i2cPins);
  i2cPins = undefined;
}

function i2cWrite(address: number, bytes: number[]): void {
  i2c();
  I2C1.writeTo(address, bytes);
}

function i2cRead(
  address: number,
  register: number,
  length: number,
  done: (error: string | null, bytes: number[] | null) => void,
) {
  let data: ArrayLike<number>;
  try {
    i2c();
    I2C1.writeTo(address, register);
    data = I2C1.readFrom(address, length);
  } catch (error) {
    return done(logText(`I2C 0x${address.toString(16)}: ${error}`), null);
  }
  // A Uint8Array indexes like the array the drivers read.
  done(null, data as number[]);
}

function oneWireTemperature(pin: string, done: (error: string | null, celsius: number) => void) {
  let wire = wires[pin];
  if (wire === undefined) {
    const bus = new OneWire(pin);
    const found = bus.search();
    if (found.length === 0) return done(logText(`no 1-Wire device on ${pin}`), 0);
    wire = { bus, device: found[0] };
    wires[pin] = wire;
  }
  const w = wire;
  // DS18B20: Convert T (0x44), wait 750 ms, Read Scratchpad (0xBE); datasheet table 1.
  w.bus.reset();
  w.bus.select(w.device);
  w.bus.write(0x44, true);
  setTimeout(() => {
    w.bus.reset();
    w.bus.select(w.device);
    w.bus.write(0xbe);
    const b = w.bus.read(2);
    const raw = b[0] | (b[1] << 8);
    done(null, (raw > 32767 ? raw - 65536 : raw) / 16);
  }, 750);
}

function setup(pin: string, mode: string): void {
  pinMode(pin, mode === 'analog-in' ? 'analog' : mode === 'digital-in' ? 'input' : 'output');
}

function readAnalog(pin: string, done: (error: string | null, fraction: number) => void): void {
  done(null, analogRead(pin));
}

function readDigital(pin: string, done: (error: string | null, high: boolean) => void): void {
  done(null, digitalRead(pin) === 1);
}

function watch(pin: string, changed: () => void): void {
  // Both edges, 20 ms debounce (contacts bounce for a few ms).
  setWatch(changed, pin, { repeat: true, edge: 'both', debounce: 20 });
}

function pwmWrite(pin: string, duty: number): void {
  analogWrite(pin, duty, { freq: 1000 });
}

function servoWrite(pin: string, degrees: number): void {
  // Servo pulses: 1 ms (0°) to 2 ms (180°) every 20 ms (50 Hz), as a duty cycle.
  analogWrite(pin, (1 + degrees / 180) / 20, { freq: 50 });
}

function memory(): { free: number; total: number; unit: 'vars' } {
  const m = process.memory();
  return { free: m.free, total: m.total, unit: 'vars' };
}

/** The IO of the bundle: only what the config uses (firmware/core/features.ts), since the
 *  core calls only what its plan names; each member left out is a variable kept free. */
export function createEspruinoIO(context: EspruinoIOContext): PinIO {
  i2cPins = context.i2c;
  const io = { setup, analogRead: readAnalog, digitalRead: readDigital, digitalWrite, memory };
  const all = io as PinIO;
  if (WATCH) all.watch = watch;
  if (PWM) all.pwmWrite = pwmWrite;
  if (SERVO) all.servoWrite = servoWrite;
  if (I2C) {
    all.i2cWrite = i2cWrite;
    all.i2cRead = i2cRead;
  }
  if (ONEWIRE) all.oneWireTemperature = oneWireTemperature;
  return all;
}
