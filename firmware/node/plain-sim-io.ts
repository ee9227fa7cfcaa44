/**
 * A PinIO with no board at all: analog and digital pins read from the simulated World
 * (hardware/virtual/world.ts) through the inverse of each part's transfer function. It is the
 * fallback for `--simulate` where no virtual board model exists for the config's board (a BME280
 * is the hardware lab's chip model, answering I2C register reads); Uno
 * configs run on the virtual Firmata board instead (firmata-io.ts), so nothing above the
 * serial port differs from a real Arduino.
 */
import type { BoardProfile, DeviceConfig } from '../../hardware/config/types.js';
import { Bme280Chip } from '../../hardware/virtual/bme280-chip.js';
import { normalizePinKey, type World } from '../../hardware/virtual/world.js';
import type { PinIO } from '../core/types.js';
import { worldInputs } from './world-inputs.js';

export function createPlainSimIO(config: DeviceConfig, board: BoardProfile, world: World): PinIO {
  const inputs = worldInputs(config, board, world);
  const outputs: Record<string, number | boolean> = {};
  const chips: Record<number, Bme280Chip> = {};
  for (const sensor of config.sensors) {
    if (sensor.part !== 'bme280') continue;
    const address = sensor.address ?? 0x76;
    chips[address] = new Bme280Chip(
      {
        readTemperature: () => world.readTemperature(),
        readPressure: () => world.readPressure(),
        readHumidity: () => world.readHumidity(),
      },
      address,
    );
  }

  return {
    setup() {},
    analogRead(pin) {
      // No simulated signal on the pin: no reading.
      const read = inputs.analog[pin];
      return read ? read() : Number.NaN;
    },
    digitalRead(pin) {
      const read = inputs.digital[pin];
      return (read ? read() : outputs[pin] === true) ? 1 : 0;
    },
    watch(pin, changed) {
      const key = normalizePinKey(pin);
      world.on('change', (change) => {
        if ('pin' in change && normalizePinKey(change.pin) === key) changed();
      });
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
    i2cWrite(address, bytes) {
      chips[address]?.write(bytes);
    },
    i2cRead(address, register, length, done) {
      const chip = chips[address];
      if (!chip) return done(null, `no simulated I2C device at 0x${address.toString(16)}`);
      chip.write([register]);
      done(chip.read(length));
    },
    oneWireTemperature(_pin, done) {
      done(world.readTemperature());
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
