/**
 * A PinIO for tests: the outermost edge (the pins) scripted, everything above it real.
 * Analog pins read `analog[pin]` (a fraction), digital pins `digital[pin]`; writes are recorded.
 */
import type { PinIO, PinMode } from '../../firmware/core/types.js';

export interface ScriptedIO extends PinIO {
  analog: Record<string, number>;
  digital: Record<string, boolean>;
  writes: { pin: string; kind: 'digital' | 'pwm' | 'servo'; value: number | boolean }[];
  modes: Record<string, PinMode>;
  /** Sets a digital input and tells its watcher, as an edge interrupt would. */
  level(pin: string, high: boolean): void;
}

export function createScriptedIO(): ScriptedIO {
  const watchers: Record<string, () => void> = {};
  const io: ScriptedIO = {
    analog: {},
    digital: {},
    writes: [],
    modes: {},
    setup(pin, mode) {
      io.modes[pin] = mode;
    },
    analogRead(pin) {
      // No signal on the pin: no reading.
      return io.analog[pin] ?? Number.NaN;
    },
    digitalRead(pin) {
      return io.digital[pin] ? 1 : 0;
    },
    level(pin, high) {
      io.digital[pin] = high;
      watchers[pin]?.();
    },
    watch(pin, changed) {
      watchers[pin] = changed;
    },
    digitalWrite(pin, high) {
      io.writes.push({ pin, kind: 'digital', value: high });
    },
    pwmWrite(pin, duty) {
      io.writes.push({ pin, kind: 'pwm', value: duty });
    },
    servoWrite(pin, degrees) {
      io.writes.push({ pin, kind: 'servo', value: degrees });
    },
    i2cWrite() {},
    i2cRead(_address, _register, _length, done) {
      done(null, 'no I2C device');
    },
    oneWireTemperature(_pin, done) {
      done(21.5);
    },
    memory() {
      return { free: 1000, total: 2000, unit: 'bytes' };
    },
  };
  return io;
}

/** TMP36 on a 5 V Uno: the ADC fraction that reads `celsius`. */
export function tmp36Fraction(celsius: number): number {
  return (celsius / 100 + 0.5) / 5;
}
