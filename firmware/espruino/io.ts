/**
 * The core's PinIO on Espruino: analogRead/digitalWrite/analogWrite on pins, I2C1 and
 * OneWire, called as the interpreter's globals. The build puts the pins themselves into the
 * bundle's plan (`pin: D4`, from the board profile), so a pin needs no lookup by name.
 */
import { I2C, ONEWIRE, PWM, SERVO, WATCH } from '../core/features.js';
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
/** A 1-Wire bus with the device the DS18B20 reads address. */
type Wire = EspruinoOneWire & { device: string };
const wires: Record<string, Wire> = {};

function i2cRead(
  address: number,
  register: number,
  length: number,
  done: (bytes: ArrayLike<number> | null) => void,
) {
  let data: ArrayLike<number> | null = null;
  // A device that does not answer throws (no ACK): the read answers null.
  try {
    I2C1.writeTo(address, register);
    data = I2C1.readFrom(address, length);
  } catch (_error) {}
  done(data);
}

function oneWireTemperature(pin: string, done: (celsius: number) => void) {
  let w = wires[pin];
  if (!w) {
    // The first device found on the pin, kept on its bus object (a pin without one is
    // searched again at the next read).
    w = new OneWire(pin) as Wire;
    w.device = w.search()[0];
    if (!w.device) return done(Number.NaN);
    wires[pin] = w;
  }
  // DS18B20: Convert T (0x44), wait 750 ms, Read Scratchpad (0xBE); datasheet table 1.
  w.reset();
  w.select(w.device);
  w.write(0x44, true);
  setTimeout(() => {
    w.reset();
    w.select(w.device);
    w.write(0xbe);
    const b = w.read(2);
    // Bytes 0-1: two's complement, 1/16 °C; `<< 16 >> 16` sign-extends the word.
    done((((b[0] << 16) | (b[1] << 24)) >> 16) / 16);
  }, 750);
}

/** Only with PWM or servo actuators: the interpreter's pinMode takes the other modes as they
 *  are, and analogWrite drives an output. */
function setupOutputs(pin: string, mode: string): void {
  pinMode(pin, mode === 'pwm' || mode === 'servo' ? 'output' : mode);
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
  // The interpreter's own pinMode, analogRead (0 to 1) and digitalRead (1 or 0) are the PinIO's.
  const io = {
    setup: PWM || SERVO ? setupOutputs : pinMode,
    analogRead,
    digitalWrite,
    memory,
  };
  const all = io as unknown as PinIO;
  // Only the digital sensors (button, PIR: the watched inputs) read a pin's level.
  if (WATCH) {
    all.watch = watch;
    all.digitalRead = digitalRead;
  }
  if (PWM) all.pwmWrite = pwmWrite;
  if (SERVO) all.servoWrite = servoWrite;
  if (I2C) {
    I2C1.setup(context.i2c as { sda: unknown; scl: unknown });
    all.i2cWrite = I2C1.writeTo.bind(I2C1);
    all.i2cRead = i2cRead;
  }
  if (ONEWIRE) all.oneWireTemperature = oneWireTemperature;
  return all;
}
