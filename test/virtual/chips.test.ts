/** Simulated parts: DS18B20 encoding (datasheet Table 1), BME280 registers, and pin wiring. */
import { readFileSync } from 'node:fs';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { getPart } from '../../hardware/catalog/index.js';
import {
  parseCalibration,
  SAMPLE_CALIBRATION,
} from '../../hardware/catalog/parts/bme280-registers.js';
import type { PartParams, SensorPart } from '../../hardware/catalog/types.js';
import type { DeviceConfig } from '../../hardware/config/types.js';
import { Bme280Chip } from '../../hardware/virtual/bme280-chip.js';
import { crc8, Ds18b20Chip, encodeDs18b20 } from '../../hardware/virtual/ds18b20-chip.js';
import { createVirtualFirmataBoard } from '../../hardware/virtual/firmata/index.js';
import { createWorld } from '../../hardware/virtual/world.js';
import { ManualClock } from '../../lib/clock.js';
import { repoPath } from '../../lib/paths.js';

test('DS18B20 temperature register at 12 bits, datasheet Table 1', () => {
  const table: [number, number][] = [
    [125, 0x07d0],
    [85, 0x0550],
    [25.0625, 0x0191],
    [10.125, 0x00a2],
    [0.5, 0x0008],
    [0, 0x0000],
    [-0.5, 0xfff8],
    [-10.125, 0xff5e],
    [-25.0625, 0xfe6f],
    [-55, 0xfc90],
  ];
  for (const [celsius, raw] of table) assert.is(encodeDs18b20(celsius, 12), raw, `${celsius} °C`);
  assert.is(encodeDs18b20(25.0625, 9), 0x0190, '9 bits drop the low three bits');
});

test('DS18B20 scratchpad: 85 °C at power-on, CRC, WRITE SCRATCHPAD sets the resolution', () => {
  let celsius = 22.3;
  const chip = new Ds18b20Chip(() => celsius, 0xabcdef);
  assert.is(chip.rom[0], 0x28);
  assert.is(crc8(chip.rom.slice(0, 7)), chip.rom[7]);
  const readPad = () => {
    chip.reset();
    chip.writeByte(0xbe);
    return Array.from({ length: 9 }, () => chip.readByte());
  };
  const first = readPad();
  assert.equal(first.slice(0, 2), [0x50, 0x05], 'power-on 85 °C');
  assert.is(crc8(first.slice(0, 8)), first[8]);
  chip.reset();
  chip.writeByte(0x4e);
  for (const b of [0x10, 0x00, 0x1f]) chip.writeByte(b); // TH, TL, 9-bit config
  assert.is(chip.resolutionBits, 9);
  chip.reset();
  chip.writeByte(0x44);
  celsius = 40; // a later change does not alter the converted value
  const pad = readPad();
  assert.is(((pad[1] << 8) | pad[0]) / 16, 22.0, '22.3 °C at 9 bits, 0.5 °C steps');
  assert.equal(pad.slice(2, 5), [0x10, 0x00, 0x1f]);
});

test('BME280 registers: id 0x60, calibration block parses back, soft reset', () => {
  const env = { readTemperature: () => 20, readPressure: () => 101_325, readHumidity: () => 40 };
  const chip = new Bme280Chip(env, 0x76);
  chip.write([0xd0]);
  assert.equal(chip.read(1), [0x60]);
  chip.write([0x88]);
  const block1 = chip.read(26);
  chip.write([0xe1]);
  const block2 = chip.read(7);
  assert.equal(parseCalibration(block1, block2), SAMPLE_CALIBRATION);
  chip.write([0xf4, 0x27]);
  assert.is(chip.peek(0xf4), 0x27);
  chip.write([0xe0, 0xb6]);
  assert.is(chip.peek(0xf4), 0, 'reset clears ctrl_meas');
  assert.throws(() => new Bme280Chip(env, 0x40), /0x40 is not possible; allowed 0x76/);
});

test('analog parts on the board decode through the catalog back to the world', () => {
  const world = createWorld({ clock: new ManualClock(0) });
  const board = createVirtualFirmataBoard({
    board: 'uno',
    world,
    parts: [
      { part: 'tmp36', pin: 'A0' },
      { part: 'lm35', pin: 'A1' },
      { part: 'ntc', pin: 'A2' },
      { part: 'photoresistor', pin: 'A3' },
    ],
  });
  const decode = (kind: string, pin: number) => {
    const part = getPart(kind) as SensorPart;
    const params = Object.fromEntries(
      Object.entries(part.params).map(([key, spec]) => [key, spec.default]),
    ) as PartParams;
    return part.convert(board.core.readAnalog(pin), { adcBits: 10, volts: 5, params });
  };
  for (const celsius of [5, 21.5, 40]) {
    world.setTemperature(celsius);
    // one ADC count is 0.49 °C for the TMP36 and LM35; the NTC is finest near 25 °C
    assert.ok(
      Math.abs(Number(decode('tmp36', 14).temperature) - celsius) < 0.5,
      `tmp36 ${celsius}`,
    );
    assert.ok(Math.abs(Number(decode('lm35', 15).temperature) - celsius) < 0.5, `lm35 ${celsius}`);
    assert.ok(Math.abs(Number(decode('ntc', 16).temperature) - celsius) < 0.3, `ntc ${celsius}`);
  }
  for (const level of [0.3, 0.5, 0.7]) {
    world.setLight(level);
    const lux = Number(decode('photoresistor', 17).light);
    const expected = world.readLux();
    assert.ok(
      Math.abs(lux - expected) / expected < 0.05,
      `light ${level}: ${lux} lx vs ${expected}`,
    );
  }
});

test('wiring mistakes are refused with the part, the pin and what is allowed', () => {
  const world = createWorld();
  const make = (
    parts: { part: string; pin?: string; address?: number; params?: Record<string, string> }[],
  ) => createVirtualFirmataBoard({ board: 'uno', world, parts });
  assert.throws(() => make([{ part: 'tmp36', pin: '7' }]), /tmp36\) is on pin 7, which has no ADC/);
  assert.throws(() => make([{ part: 'tmp36', pin: 'A9' }]), /no pin "A9"; pins are 0-19/);
  assert.throws(() => make([{ part: 'button' }]), /parts\[0\] \(button\) needs a pin/);
  assert.throws(
    () => make([{ part: 'dht22', pin: '3' }]),
    /"dht22" is not simulated; allowed: tmp36/,
  );
  assert.throws(
    () => make([{ part: 'bme280' }, { part: 'bme280', address: 0x76 }]),
    /address 0x76 is taken/,
  );
  assert.throws(
    () => make([{ part: 'ntc', pin: 'A0', params: { beta: 'high' } }]),
    /ntc params.beta is "high"; a positive number is required/,
  );
  assert.throws(
    () => make([{ part: 'button', pin: '2', params: { wiring: 'up' } }]),
    /params.wiring is "up"; allowed: "pullup", "pulldown"/,
  );
});

test('a shipped device config wires its sensors; the world comes from its simulation block', async () => {
  const device = JSON.parse(
    readFileSync(repoPath('hardware/devices/sim-1.json'), 'utf8'),
  ) as DeviceConfig;
  const board = createVirtualFirmataBoard({ device });
  assert.is(board.profile.id, device.board);
  for (const sensor of device.sensors) {
    if (sensor.pin) assert.ok(board.pinState(sensor.pin), `pin ${sensor.pin} exists`);
  }
  const tmp = device.sensors.find((s) => s.part === 'tmp36');
  if (tmp?.pin) {
    const pin = board.profile.pins.find((p) => p.names.includes(tmp.pin as string));
    const counts = board.core.readAnalog(pin?.number ?? -1);
    const celsius = ((counts * 5) / 1024 - 0.5) * 100;
    assert.ok(Math.abs(celsius - board.world.readTemperature()) < 0.5, `${celsius} °C`);
  }
  await board.close();
  assert.throws(
    () => createVirtualFirmataBoard({ device, board: 'mega' }),
    /board "mega" differs from device "sim-1"'s board "uno"/,
  );
  assert.throws(
    () => createVirtualFirmataBoard({ device: { ...device, board: 'esp32' } }),
    /board "esp32" is not simulated; allowed: uno, nano, mega/,
  );
});

test.run();
