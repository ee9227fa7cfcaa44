/**
 * The core's PinIO over a johnny-five IO plugin (firmata-io; raspi-io on a Pi): the plugin
 * interface is the same (pinMode, analogRead, digitalRead, digitalWrite, pwmWrite, servoWrite,
 * i2cConfig/i2cWrite/i2cReadOnce), only the pin keys and 1-Wire differ, and are passed in.
 *
 * Inputs are reported by the plugin as they change (digital) or every sampling interval
 * (analog), so reads answer from the last report; a pin that never reported reads NaN (no
 * reading, not a zero).
 */
import type { Firmata } from 'firmata-io';
import { findPin } from '../../hardware/boards/index.js';
import type { BoardProfile, PinProfile } from '../../hardware/config/types.js';
import type { PinIO, PinMode } from '../core/types.js';

/** DS18B20 commands (Maxim datasheet, "ROM/function commands"). */
const DS18B20_CONVERT = 0x44;
const DS18B20_READ_SCRATCHPAD = 0xbe;
const DS18B20_CONVERSION_MS = 750;
const I2C_TIMEOUT_MS = 1000;

export interface PluginPinOptions {
  /** The plugin's key for a pin: the Firmata pin number, or "GPIO4" for raspi-io. */
  pinKey(pin: PinProfile): number | string;
  /** 1-Wire without Firmata's OneWire sysex (the Pi's kernel w1 driver). */
  oneWireTemperature?: (pin: PinProfile, done: (celsius: number, why?: string) => void) => void;
}

export function createPluginPinIO(
  firmata: Firmata,
  board: BoardProfile,
  options: PluginPinOptions,
): PinIO {
  const analog: Record<number, number> = {};
  const digital: Record<number, number> = {};
  const oneWireDevices: Record<number, number[]> = {};
  const watchers: Record<number, () => void> = {};
  const adcFull = 2 ** (board.adcBits ?? 10);
  let i2cReady = false;

  function pin(name: string): PinProfile {
    const found = findPin(board, name);
    if (!found) throw new Error(`pin "${name}" does not exist on ${board.name}`);
    return found;
  }
  const number = (name: string) => options.pinKey(pin(name)) as number;
  const channel = (name: string) => {
    const found = pin(name);
    if (found.analogChannel === undefined)
      throw new Error(`pin "${name}" has no ADC on ${board.name}`);
    return found.analogChannel;
  };
  const i2c = () => {
    if (!i2cReady) firmata.i2cConfig({ delay: 0 });
    i2cReady = true;
  };

  const modes: Record<PinMode, number> = {
    analog: firmata.MODES.ANALOG,
    input: firmata.MODES.INPUT,
    output: firmata.MODES.OUTPUT,
    pwm: firmata.MODES.PWM,
    servo: firmata.MODES.SERVO,
  };

  return {
    setup(name, mode) {
      if (mode === 'analog') {
        const ch = channel(name);
        firmata.pinMode(ch, modes[mode]);
        firmata.analogRead(ch, (value) => {
          analog[ch] = value;
        });
      } else if (mode === 'input') {
        const n = number(name);
        firmata.pinMode(n, modes[mode]);
        firmata.digitalRead(n, (value) => {
          const changed = digital[n] !== undefined && digital[n] !== value;
          digital[n] = value;
          if (changed) watchers[n]?.();
        });
      } else {
        firmata.pinMode(number(name), modes[mode]);
      }
    },
    analogRead(name) {
      const value = analog[channel(name)];
      return value === undefined ? Number.NaN : value / adcFull;
    },
    digitalRead(name) {
      const value = digital[number(name)];
      return value === undefined ? Number.NaN : value !== 0 ? 1 : 0;
    },
    watch(name, changed) {
      watchers[number(name)] = changed;
    },
    digitalWrite(name, high) {
      firmata.digitalWrite(number(name), high ? 1 : 0);
    },
    pwmWrite(name, duty) {
      firmata.pwmWrite(number(name), Math.round(duty * (firmata.RESOLUTION.PWM || 255)));
    },
    servoWrite(name, degrees) {
      firmata.servoWrite(number(name), degrees);
    },
    i2cWrite(address, bytes) {
      i2c();
      firmata.i2cWrite(address, bytes);
    },
    i2cRead(address, register, length, done) {
      i2c();
      let answered = false;
      const timer = setTimeout(() => {
        answered = true;
        done(null, `no I2C answer from 0x${address.toString(16)} within ${I2C_TIMEOUT_MS} ms`);
      }, I2C_TIMEOUT_MS);
      firmata.i2cReadOnce(address, register, length, (bytes) => {
        if (answered) return;
        answered = true;
        clearTimeout(timer);
        done(Array.prototype.slice.call(bytes) as number[]);
      });
    },
    oneWireTemperature(name, done) {
      if (options.oneWireTemperature) return options.oneWireTemperature(pin(name), done);
      const n = number(name);
      const convert = (device: number[]) => {
        firmata.sendOneWireReset(n);
        firmata.sendOneWireWrite(n, device, DS18B20_CONVERT);
        setTimeout(() => {
          firmata.sendOneWireReset(n);
          firmata.sendOneWireWriteAndRead(n, device, DS18B20_READ_SCRATCHPAD, 9, (error, bytes) => {
            if (error) return done(Number.NaN, error.message);
            // Scratchpad bytes 0-1: temperature, two's complement, 1/16 °C (datasheet table 1).
            let raw = (bytes[0] as number) | ((bytes[1] as number) << 8);
            if (raw > 32767) raw -= 65536;
            done(raw / 16);
          });
        }, DS18B20_CONVERSION_MS);
      };
      const known = oneWireDevices[n];
      if (known) return convert(known);
      firmata.sendOneWireConfig(n, true);
      firmata.sendOneWireSearch(n, (error, devices) => {
        if (error) return done(Number.NaN, error.message);
        const device = devices[0];
        if (!device) return done(Number.NaN, `no 1-Wire device on pin ${name}`);
        oneWireDevices[n] = device;
        convert(device);
      });
    },
    memory() {
      const usage = process.memoryUsage();
      return {
        free: Math.max(0, usage.heapTotal - usage.heapUsed),
        total: usage.heapTotal,
        unit: 'bytes',
      };
    },
  };
}
