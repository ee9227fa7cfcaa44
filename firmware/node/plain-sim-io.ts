/**
 * A PinIO with no board at all: analog and digital pins read from the simulated World
 * (hardware/virtual/world.ts) through the inverse of each part's transfer function. It is the
 * fallback for `--simulate` where no virtual board model exists for the config's board; Uno
 * configs run on the virtual Firmata board instead (firmata-io.ts), so nothing above the
 * serial port differs from a real Arduino.
 */
import type { DeviceConfig } from '../../hardware/config/types.js';
import type { World } from '../../hardware/virtual/world.js';
import type { PinIO } from '../core/types.js';

export function createPlainSimIO(config: DeviceConfig, world: World, vref: number): PinIO {
  const partByPin: Record<string, string> = {};
  for (const sensor of config.sensors) if (sensor.pin) partByPin[sensor.pin] = sensor.part;
  const outputs: Record<string, number | boolean> = {};

  return {
    setup() {},
    analogRead(pin, done) {
      const part = partByPin[pin];
      const celsius = world.readTemperature();
      let volts: number;
      if (part === 'tmp36') volts = celsius / 100 + 0.5;
      else if (part === 'lm35') volts = celsius / 100;
      else if (part === 'photoresistor') volts = world.readLight() * vref;
      else return done(`no simulated signal on analog pin ${pin} (part ${part ?? 'none'})`, 0);
      done(null, Math.min(1, Math.max(0, volts / vref)));
    },
    digitalRead(pin, done) {
      const part = partByPin[pin];
      if (part === 'button') done(null, !world.isPressed(pin));
      else if (part === 'pir') done(null, world.isMotion(pin));
      else done(null, outputs[pin] === true);
    },
    digitalWrite(pin, high) {
      outputs[pin] = high;
    },
    pwmWrite(pin, duty) {
      outputs[pin] = duty;
    },
    servoWrite(pin, degrees) {
      outputs[pin] = degrees;
    },
    i2cWrite() {},
    i2cRead(address, _register, _length, done) {
      done(`no simulated I2C device at 0x${address.toString(16)} without a virtual board`, null);
    },
    oneWireTemperature(_pin, done) {
      done(null, world.readTemperature());
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
