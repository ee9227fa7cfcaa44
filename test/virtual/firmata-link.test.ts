/**
 * The virtual board with a real Firmata client (firmata-io) over serialport's mock binding,
 * unplugging and replugging it, and the attach(stream) path.
 */
import { createRequire } from 'node:module';
import { Duplex, PassThrough } from 'node:stream';
import { SerialPortMock } from 'serialport';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { createVirtualFirmataBoard } from '../../hardware/virtual/firmata/index.js';
import { createWorld } from '../../hardware/virtual/world.js';
import { until } from '../helpers/until.js';

const require = createRequire(import.meta.url);
type FirmataIo = {
  on(event: string, fn: (...args: never[]) => void): void;
  once(event: string, fn: (...args: never[]) => void): void;
  firmware: { name: string };
  pins: { supportedModes: number[] }[];
  analogPins: number[];
  analogRead(pin: number, fn: (value: number) => void): void;
  pinMode(pin: number, mode: number): void;
  digitalWrite(pin: number, value: number): void;
};
const { Firmata } = require('firmata-io') as { Firmata: new (port: unknown) => FirmataIo };

function ready(io: FirmataIo): Promise<void> {
  return new Promise((resolve) => io.once('ready', () => resolve()));
}

test('firmata-io gets ready, reads A0 and drives pin 13 over the mock binding', async () => {
  const world = createWorld({ seed: 2 });
  world.setTemperature(22);
  const board = createVirtualFirmataBoard({ world, parts: [{ part: 'tmp36', pin: 'A0' }] });
  await board.attachMock('/dev/vfirmata-link-1');
  const port = new SerialPortMock({ path: '/dev/vfirmata-link-1', baudRate: 57600 });
  const io = new Firmata(port);
  await ready(io);
  assert.is(io.firmware.name, 'StandardFirmata.ino');
  assert.is(io.pins.length, 20);
  assert.equal(io.analogPins, [14, 15, 16, 17, 18, 19]);
  const value = await new Promise<number>((resolve) => io.analogRead(0, resolve));
  assert.is(value, Math.round(((0.5 + 0.22) * 1024) / 5));
  io.pinMode(13, 1);
  io.digitalWrite(13, 1);
  await until(() => board.pinState('13').value === 1, 'pin 13 high');
  assert.is(board.pinState('13').mode, 'OUTPUT');
  const other = createVirtualFirmataBoard({ world });
  const refusal = await other.attachMock('/dev/vfirmata-link-1').then(
    () => null,
    (err: Error) => err,
  );
  assert.match(String(refusal), /a virtual board is already attached there/);
  assert.is(other.connectionKind, 'none', 'the refused board stays unconnected');
  await other.close();
  assert.is(board.pinState('13').value, 1, 'the first board is untouched');
  const listed = (await SerialPortMock.list()).find((p) => p.path === '/dev/vfirmata-link-1');
  assert.equal([listed?.vendorId, listed?.productId], ['2341', '0043'], 'listed as an Uno R3');
  await new Promise((r) => port.close(r));
  await board.close();
  world.close();
});

test('unplug: the open port closes with a disconnect; replug: a new connection works', async () => {
  const world = createWorld({ seed: 2 });
  const board = createVirtualFirmataBoard({ world });
  const path = '/dev/vfirmata-link-2';
  await board.attachMock(path);
  const port = new SerialPortMock({ path, baudRate: 57600 });
  const io = new Firmata(port);
  await ready(io);
  const closed = new Promise<unknown>((resolve) => port.once('close', resolve));
  board.unplug();
  const reason = (await closed) as { disconnected?: boolean } | null;
  assert.ok(reason?.disconnected, 'closed with a DisconnectedError');
  assert.is(board.plugState, 'unplugged');
  const refused = new SerialPortMock({ path, baudRate: 57600, autoOpen: false });
  const error = await new Promise<Error | null>((resolve) => refused.open(resolve));
  assert.match(String(error), /unplugged/);
  await board.replug();
  const again = new SerialPortMock({ path, baudRate: 57600 });
  const io2 = new Firmata(again);
  await ready(io2);
  io2.pinMode(12, 1);
  io2.digitalWrite(12, 1);
  await until(() => board.pinState('12').value === 1, 'pin 12 high');
  await new Promise((r) => again.close(r));
  await board.close();
  world.close();
});

test('attach(stream): the board speaks on any Duplex', async () => {
  const world = createWorld({ seed: 2 });
  const board = createVirtualFirmataBoard({ world });
  const toBoard = new PassThrough();
  const fromBoard = new PassThrough();
  const chunks: Buffer[] = [];
  fromBoard.on('data', (d: Buffer) => chunks.push(d));
  // A Duplex whose writes are the board's output and whose reads are the host's bytes.
  const end = Duplex.from({ readable: toBoard, writable: fromBoard });
  board.attach(end);
  assert.is(chunks.length, 0, 'nothing arrives within attach() itself');
  await until(() => chunks.length > 0, 'bytes from the board');
  assert.equal([...chunks[0]], [0xf9, 2, 5], 'REPORT_VERSION on power-up');
  toBoard.write(Buffer.from([0xf4, 13, 1, 0xf5, 13, 1]));
  await until(() => board.pinState('13').value === 1, 'pin 13 high');
  assert.throws(() => board.attach(end), /already attached \(stream\)/);
  board.detach();
  assert.is(board.connectionKind, 'none');
  await board.close();
  world.close();
});

test.run();
