/**
 * The virtual board's I2C (BME280) and 1-Wire (DS18B20) over the mock binding: what a host
 * sends as I2C_REQUEST and ONEWIRE_DATA and what comes back, decoded with the catalog's BME280
 * register helpers and compensation and with firmata-io's 7-bit encoding.
 */
import { createRequire } from 'node:module';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { compensate } from '../../hardware/catalog/parts/bme280-compensation.js';
import { parseCalibration, parseData } from '../../hardware/catalog/parts/bme280-registers.js';
import { crc8 } from '../../hardware/virtual/ds18b20-chip.js';
import { createVirtualFirmataBoard } from '../../hardware/virtual/firmata/index.js';
import { createWorld } from '../../hardware/virtual/world.js';
import { ManualClock } from '../../lib/clock.js';
import { pairs, RawHost } from './firmata-host.js';

const require = createRequire(import.meta.url);
const Encoder7Bit = require('firmata-io/lib/encoder7bit') as {
  to7BitArray(data: number[]): number[];
  from7BitArray(data: number[]): number[];
};

let counter = 0;
async function rig(parts: { part: string; pin?: string; address?: number }[]) {
  const clock = new ManualClock(Date.UTC(2026, 5, 1, 12));
  const world = createWorld({ seed: 9, clock });
  const board = createVirtualFirmataBoard({ board: 'uno', world, clock, parts });
  const path = `/dev/vfirmata-bus-${++counter}`;
  await board.attachMock(path);
  const host = new RawHost(path);
  await host.open();
  await host.waitFor((m) => m.kind === 'sysex' && m.command === 0x79);
  host.clear();
  const done = async () => {
    await host.close();
    await board.close();
    world.close();
  };
  return { clock, world, board, host, done };
}

/** I2C_REQUEST with bytes sent as 7-bit pairs. */
const i2c = (address: number, mode: number, args: number[]) => [
  0xf0,
  0x76,
  address,
  mode << 3,
  ...args.flatMap((b) => [b & 0x7f, b >> 7]),
  0xf7,
];
const replies = (host: RawHost) =>
  host.sysex(0x77).map((m) => ({
    address: m.data[0] | (m.data[1] << 7),
    register: m.data[2] | (m.data[3] << 7),
    bytes: pairs(m.data.slice(4)),
  }));

test('I2C read once: the BME280 at 0x76 answers its chip id 0x60', async () => {
  const r = await rig([{ part: 'bme280', address: 0x76 }]);
  await r.host.request([0xf0, 0x78, 0, 0, 0xf7]); // I2C_CONFIG
  await r.host.request(i2c(0x76, 1, [0xd0, 1]));
  assert.equal(replies(r.host), [{ address: 0x76, register: 0xd0, bytes: [0x60] }]);
  await r.done();
});

test('I2C: a driver reads calibration, writes ctrl registers and decodes the world', async () => {
  const r = await rig([{ part: 'bme280', address: 0x77 }]);
  r.world.setTemperature(23.4);
  r.world.setHumidity(51.5);
  r.world.setPressure(99_870);
  await r.host.request([0xf0, 0x78, 0xf7]);
  await r.host.request(i2c(0x77, 1, [0x88, 26]));
  await r.host.request(i2c(0x77, 1, [0xe1, 7]));
  const [block1, block2] = replies(r.host).map((reply) => reply.bytes);
  const calibration = parseCalibration(block1, block2);
  assert.is(calibration.T1, 27504);
  r.host.clear();
  // Asleep after power-on: data registers read "skipped".
  await r.host.request(i2c(0x77, 1, [0xf7, 8]));
  assert.equal(replies(r.host)[0].bytes, [0x80, 0, 0, 0x80, 0, 0, 0x80, 0]);
  r.host.clear();
  await r.host.request(i2c(0x77, 0, [0xf2, 0x01])); // ctrl_hum: humidity ×1
  await r.host.request(i2c(0x77, 0, [0xf4, 0x27])); // ctrl_meas: T ×1, P ×1, normal mode
  await r.host.request(i2c(0x77, 1, [0xf7, 8]));
  const reading = compensate(parseData(replies(r.host)[0].bytes), calibration);
  assert.ok(Math.abs(reading.temperature - 23.4) < 0.01, `temperature ${reading.temperature}`);
  assert.ok(Math.abs(reading.humidity - 51.5) < 0.01, `humidity ${reading.humidity}`);
  assert.ok(Math.abs(reading.pressure - 99_870) < 1, `pressure ${reading.pressure}`);
  await r.done();
});

test('I2C forced mode measures once, then the chip sleeps with the values latched', async () => {
  const r = await rig([{ part: 'bme280', address: 0x76 }]);
  r.world.setTemperature(10);
  await r.host.request(i2c(0x76, 0, [0xe0, 0xb6])); // soft reset
  await r.host.request(i2c(0x76, 0, [0xf4, 0x25])); // T ×1, P ×1, forced
  await r.host.request(i2c(0x76, 1, [0xf4, 1]));
  assert.equal(replies(r.host)[0].bytes, [0x24], 'mode bits back to sleep');
  r.world.setTemperature(30);
  await r.host.request(i2c(0x76, 1, [0x88, 26]));
  await r.host.request(i2c(0x76, 1, [0xe1, 7]));
  await r.host.request(i2c(0x76, 1, [0xf7, 8]));
  const [, block1, block2, data] = replies(r.host).map((reply) => reply.bytes);
  const reading = compensate(parseData(data), parseCalibration(block1, block2));
  assert.ok(Math.abs(reading.temperature - 10) < 0.01, 'the forced measurement, not the new 30 °C');
  await r.done();
});

test('I2C read continuously every sampling interval, until stop', async () => {
  const r = await rig([{ part: 'bme280', address: 0x76 }]);
  await r.host.request(i2c(0x76, 2, [0xd0, 1]));
  r.clock.advance(19 * 4);
  await r.host.settle();
  assert.is(replies(r.host).length, 4);
  assert.ok(replies(r.host).every((reply) => reply.bytes[0] === 0x60));
  await r.host.request([0xf0, 0x76, 0x76, 3 << 3, 0xf7]); // stop reading
  r.host.clear();
  r.clock.advance(200);
  await r.host.settle();
  assert.is(replies(r.host).length, 0);
  await r.done();
});

test('I2C read from an address with no device: a string, and an empty reply', async () => {
  const r = await rig([]);
  await r.host.request(i2c(0x40, 0, [0x01, 0x02]));
  assert.is(r.host.messages.length, 0, 'a write to nobody is silent');
  await r.host.request(i2c(0x40, 1, [0x00, 2]));
  assert.equal(replies(r.host), [{ address: 0x40, register: 0, bytes: [] }]);
  const [text] = r.host.sysex(0x71);
  assert.match(Buffer.from(pairs(text.data)).toString('latin1'), /Too few bytes/);
  await r.done();
});

/** ONEWIRE_DATA request as firmata-io builds it: address, read count, correlation id, delay, data. */
function onewire(
  subcommand: number,
  pin: number,
  o: { device?: number[]; read?: number; correlation?: number; write?: number[] } = {},
) {
  const bytes = Array(16).fill(0);
  if (o.device) bytes.splice(0, 8, ...o.device);
  bytes[8] = (o.read ?? 0) & 0xff;
  bytes[10] = (o.correlation ?? 0) & 0xff;
  return [
    0xf0,
    0x73,
    subcommand,
    pin,
    ...Encoder7Bit.to7BitArray([...bytes, ...(o.write ?? [])]),
    0xf7,
  ];
}

test('1-Wire: search finds the DS18B20; convert and read scratchpad gives the world', async () => {
  const r = await rig([{ part: 'ds18b20', pin: '4' }]);
  r.world.setTemperature(21.5625);
  await r.host.request([0xf0, 0x73, 0x41, 4, 1, 0xf7]); // config, parasitic power
  await r.host.request([0xf0, 0x73, 0x40, 4, 0xf7]); // search
  const [search] = r.host.sysex(0x73);
  assert.equal(search.data.slice(0, 2), [0x42, 4]);
  const rom = Encoder7Bit.from7BitArray(search.data.slice(2)).slice(0, 8);
  assert.is(rom[0], 0x28, 'DS18B20 family code');
  assert.is(crc8(rom.slice(0, 7)), rom[7], 'ROM CRC');
  r.host.clear();
  await r.host.request(onewire(0x01, 4)); // reset
  await r.host.request(onewire(0x20 | 0x3c, 4, { device: rom, write: [0x44] })); // select, convert
  await r.host.request(onewire(0x01, 4));
  await r.host.request(
    onewire(0x28 | 0x3c, 4, { device: rom, read: 9, correlation: 77, write: [0xbe] }),
  );
  const [reply] = r.host.sysex(0x73);
  assert.equal(reply.data.slice(0, 2), [0x43, 4]);
  const decoded = Encoder7Bit.from7BitArray(reply.data.slice(2));
  assert.equal(decoded.slice(0, 2), [77, 0], 'correlation id');
  const pad = decoded.slice(2, 11);
  assert.is(crc8(pad.slice(0, 8)), pad[8], 'scratchpad CRC');
  const raw = (pad[1] << 8) | pad[0];
  assert.is(raw / 16, 21.5625);
  await r.done();
});

test('1-Wire: SKIP ROM addresses every device; a device not selected stays silent', async () => {
  const r = await rig([{ part: 'ds18b20', pin: '5' }]);
  r.world.setTemperature(-10.5);
  const write = (bytes: number[]) => [0xf0, 0x73, 0x20, 5, ...Encoder7Bit.to7BitArray(bytes), 0xf7];
  await r.host.request([0xf0, 0x73, 0x01 | 0x02, 5, 0xf7]); // reset + skip, no data
  await r.host.request(write([0x44]));
  await r.host.request([0xf0, 0x73, 0x01 | 0x02, 5, 0xf7]);
  // read 9 bytes, correlation 5, after writing READ SCRATCHPAD
  const readPad = [0xf0, 0x73, 0x28, 5, ...Encoder7Bit.to7BitArray([9, 0, 5, 0, 0xbe]), 0xf7];
  await r.host.request(readPad);
  const pad = Encoder7Bit.from7BitArray(r.host.sysex(0x73)[0].data.slice(2)).slice(2, 11);
  assert.is(((pad[1] << 8) | pad[0]) - 0x10000, -10.5 * 16);
  r.host.clear();
  await r.host.request(onewire(0x01, 5));
  const nobody = Array(8).fill(0);
  await r.host.request(
    onewire(0x20 | 0x08 | 0x3c, 5, { device: nobody, read: 2, correlation: 1, write: [0xbe] }),
  );
  const decoded = Encoder7Bit.from7BitArray(r.host.sysex(0x73)[0].data.slice(2));
  assert.equal(decoded.slice(2, 4), [0xff, 0xff], 'unselected: the bus reads high');
  await r.done();
});

test.run();
