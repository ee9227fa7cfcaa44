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

/** What the build left out: the plan never asks for it (see firmware/core/features.ts). */
function notBuilt(): never {
  throw new Error('not in this build');
}

export interface EspruinoIOContext {
  /** The I2C1 pins, from the board profile; null when the config has no I2C sensor. */
  i2c: { sda: unknown; scl: unknown } | null;
}

export function createEspruinoIO(context: EspruinoIOContext): PinIO {
  const wires: Record<string, { bus: EspruinoOneWire; device: string }> = {};
  let i2cReady = false;

  function i2c(): void {
    if (i2cReady || context.i2c === null) return;
    I2C1.setup(context.i2c);
    i2cReady = true;
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
      return done(`I2C 0x${address.toString(16)}: ${error}`, null);
    }
    // A Uint8Array indexes like the array the drivers read.
    done(null, data as number[]);
  }

  function oneWireTemperature(pin: string, done: (error: string | null, celsius: number) => void) {
    let wire = wires[pin];
    if (wire === undefined) {
      const bus = new OneWire(pin);
      const found = bus.search();
      if (found.length === 0) return done(`no 1-Wire device on ${pin}`, 0);
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

  return {
    setup(pin, mode) {
      pinMode(pin, mode === 'analog-in' ? 'analog' : mode === 'digital-in' ? 'input' : 'output');
    },
    analogRead(pin, done) {
      done(null, analogRead(pin));
    },
    digitalRead(pin, done) {
      done(null, digitalRead(pin) === 1);
    },
    // Both edges, 20 ms debounce (contacts bounce for a few ms).
    watch: WATCH
      ? (pin, changed) => setWatch(changed, pin, { repeat: true, edge: 'both', debounce: 20 })
      : notBuilt,
    digitalWrite(pin, high) {
      digitalWrite(pin, high);
    },
    pwmWrite: PWM ? (pin, duty) => analogWrite(pin, duty, { freq: 1000 }) : notBuilt,
    // Servo pulses: 1 ms (0°) to 2 ms (180°) every 20 ms (50 Hz), as a duty cycle.
    servoWrite: SERVO
      ? (pin, degrees) => analogWrite(pin, (1 + degrees / 180) / 20, { freq: 50 })
      : notBuilt,
    i2cWrite: I2C
      ? (address, bytes) => {
          i2c();
          I2C1.writeTo(address, bytes);
        }
      : notBuilt,
    i2cRead: I2C ? i2cRead : notBuilt,
    oneWireTemperature: ONEWIRE ? oneWireTemperature : notBuilt,
    memory() {
      const m = process.memory();
      return { free: m.free, total: m.total, unit: 'vars' };
    },
  };
}
