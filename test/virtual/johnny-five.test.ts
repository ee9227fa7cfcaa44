/**
 * Issue 3's first "done" check: johnny-five, unchanged, on the virtual Firmata board over a real
 * pseudo-terminal (serialport 13 SerialPort → firmata-io → johnny-five): Board ready, a TMP36
 * Thermometer on A0 that follows the world, a Button press, an Led that turns the virtual pin
 * on, a BME280 over I2C (Multi controller "BME280") and a DS18B20 over 1-Wire.
 */
import { createRequire } from 'node:module';
import { SerialPort } from 'serialport';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { createVirtualFirmataBoard } from '../../hardware/virtual/firmata/index.js';
import { createWorld } from '../../hardware/virtual/world.js';
import { until } from '../helpers/until.js';

const require = createRequire(import.meta.url);
// johnny-five and firmata-io are CommonJS without type declarations; typed here as used.
type Emitter = {
  on(event: string, fn: (...args: never[]) => void): void;
  once(event: string, fn: (...args: never[]) => void): void;
};
type Five = {
  Board: new (o: object) => Emitter & { io: { transport: SerialPort } };
  Thermometer: new (o: object) => Emitter & { celsius: number };
  Button: new (o: object) => Emitter;
  Led: new (o: object) => Emitter & { on(): void; off(): void };
  Multi: new (
    o: object,
  ) => Emitter & {
    thermometer: { celsius: number };
    hygrometer: { relativeHumidity: number };
    barometer: { pressure: number };
  };
};
const five = require('johnny-five') as Five;
const { Firmata } = require('firmata-io') as { Firmata: new (port: SerialPort) => unknown };

test('johnny-five runs unchanged against the virtual board over a pseudo-terminal', async () => {
  const world = createWorld({ seed: 11, humidity: 48, pressure: 100_500 });
  world.setTemperature(21.5);
  const board = createVirtualFirmataBoard({
    board: 'uno',
    world,
    parts: [
      { part: 'tmp36', pin: 'A0' },
      { part: 'button', pin: '2' },
      { part: 'bme280', address: 0x77 },
      { part: 'ds18b20', pin: '4' },
    ],
  });
  const { path } = await board.openPty();
  try {
    const port = new SerialPort({ path, baudRate: 57600 });
    const j5 = new five.Board({ io: new Firmata(port), repl: false, debug: false });
    await new Promise<void>((resolve, reject) => {
      j5.once('ready', () => resolve());
      j5.once('error', (err: Error) => reject(err));
    });

    // Thermometer: follows the world through the TMP36 on A0.
    const thermometer = new five.Thermometer({ controller: 'TMP36', pin: 'A0', freq: 25 });
    await until(() => Math.abs(thermometer.celsius - 21.5) <= 1, 'the thermometer at 21.5 °C');
    world.setTemperature(30);
    await until(() => Math.abs(thermometer.celsius - 30) <= 1, 'the thermometer at 30 °C');

    // DS18B20 over 1-Wire (search, reset, select, convert, read scratchpad).
    const probe = new five.Thermometer({ controller: 'DS18B20', pin: 4, freq: 25 });
    await until(() => Math.abs(probe.celsius - 30) <= 0.0625, 'the DS18B20 at 30 °C');

    // Button wired to GND with the pin's pull-up (the catalog's default wiring).
    const button = new five.Button({ pin: 2, isPullup: true });
    const presses: string[] = [];
    button.on('press', () => presses.push('press'));
    button.on('release', () => presses.push('release'));
    await new Promise((r) => setTimeout(r, 50));
    world.pressButton(2, 150);
    await until(() => presses.join() === 'press,release', 'a press and a release');

    // Led: the virtual pin turns on and off.
    const led = new five.Led({ pin: 13 });
    led.on();
    await until(() => board.pinState('13').value === 1, 'pin 13 high');
    assert.is(board.pinState('13').mode, 'OUTPUT');
    led.off();
    await until(() => board.pinState('13').value === 0, 'pin 13 low');

    // BME280 over I2C: johnny-five's own datasheet compensation reads the world back.
    const multi = new five.Multi({ controller: 'BME280', address: 0x77, freq: 50 });
    await new Promise<void>((resolve) => multi.once('data', () => resolve()));
    await until(
      () => Math.abs(multi.thermometer.celsius - 30) < 0.1,
      `BME280 temperature 30 °C (got ${multi.thermometer.celsius})`,
    );
    assert.ok(
      Math.abs(multi.hygrometer.relativeHumidity - 48) < 1,
      `${multi.hygrometer.relativeHumidity} %RH`,
    );
    // johnny-five's barometer reports kPa
    assert.ok(Math.abs(multi.barometer.pressure - 100.5) < 0.1, `${multi.barometer.pressure} kPa`);
    world.setHumidity(60);
    await until(
      () => Math.abs(multi.hygrometer.relativeHumidity - 60) < 1,
      'humidity follows the world',
    );

    const closed = new Promise<void>((resolve) => port.once('close', () => resolve()));
    await board.close();
    await closed;
  } finally {
    await board.close();
    world.close();
  }
});

test.after(() => {
  // johnny-five's sensor components start intervals that nothing can clear (sip.js,
  // hygrometer.js, barometer.js call setInterval without keeping the id), so this process
  // cannot end by itself: exit once uvu has printed its summary, keeping uvu's exit code.
  setTimeout(() => process.exit(), 200).unref();
});

test.run();
