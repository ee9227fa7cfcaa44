/**
 * The virtual board on a real pseudo-terminal: serialport's native binding opens the path as it
 * would /dev/ttyACM0. Unplugging closes the pty under the open port; replugging brings the same
 * path back with a new board boot.
 */
import { existsSync, lstatSync, readlinkSync } from 'node:fs';
import { createRequire } from 'node:module';
import { SerialPort } from 'serialport';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { createVirtualFirmataBoard } from '../../hardware/virtual/firmata/index.js';
import { openPty } from '../../hardware/virtual/pty.js';
import { createWorld } from '../../hardware/virtual/world.js';
import { until } from '../helpers/until.js';

const require = createRequire(import.meta.url);
type FirmataIo = {
  once(event: string, fn: () => void): void;
  firmware: { name: string };
  pinMode(pin: number, mode: number): void;
  digitalWrite(pin: number, value: number): void;
};
const { Firmata } = require('firmata-io') as { Firmata: new (port: unknown) => FirmataIo };

const ready = (io: FirmataIo) => new Promise<void>((resolve) => io.once('ready', resolve));
const closePort = (port: SerialPort) =>
  new Promise<void>((resolve) => (port.isOpen ? port.close(() => resolve()) : resolve()));

test('openPty: bytes cross both ways; closing the pty closes the port with a disconnect', async () => {
  const pty = await openPty();
  assert.match(pty.path, /^\/dev\/pts\/\d+$/);
  const opened = new Promise<void>((resolve) => pty.events.once('open', resolve));
  const port = new SerialPort({ path: pty.path, baudRate: 57600 });
  await opened;
  const received: Buffer[] = [];
  pty.stream.on('data', (d: Buffer) => received.push(d));
  port.write(Buffer.from([0x00, 0x7f, 0x80, 0xff, 0x0a, 0x0d, 0x03]));
  await until(() => Buffer.concat(received).length === 7, 'all 7 bytes');
  assert.equal(
    [...Buffer.concat(received)],
    [0x00, 0x7f, 0x80, 0xff, 0x0a, 0x0d, 0x03],
    'raw bytes',
  );
  const fromPty = new Promise<Buffer>((resolve) => port.once('data', resolve));
  pty.stream.write(Buffer.from([0xf9, 0x02, 0x05]));
  assert.equal([...(await fromPty)], [0xf9, 0x02, 0x05]);
  const closed = new Promise<{ disconnected?: boolean } | null>((resolve) =>
    port.once('close', resolve),
  );
  await pty.close();
  const reason = await closed;
  assert.ok(reason?.disconnected, 'the port saw a disconnect');
});

test('openPty carries 20 KiB each way intact and in order', async () => {
  const pty = await openPty();
  try {
    const opened = new Promise<void>((resolve) => pty.events.once('open', resolve));
    const port = new SerialPort({ path: pty.path, baudRate: 57600 });
    await opened;
    const payload = Buffer.from(Array.from({ length: 20_480 }, (_, i) => (i * 7) & 0xff));
    const atHost: Buffer[] = [];
    const atPty: Buffer[] = [];
    port.on('data', (d: Buffer) => atHost.push(d));
    pty.stream.on('data', (d: Buffer) => atPty.push(d));
    pty.stream.write(payload);
    port.write(payload);
    await until(() => Buffer.concat(atHost).length >= payload.length, 'the payload at the host');
    await until(() => Buffer.concat(atPty).length >= payload.length, 'the payload at the pty');
    assert.ok(Buffer.concat(atHost).equals(payload), 'pty → host');
    assert.ok(Buffer.concat(atPty).equals(payload), 'host → pty');
    await closePort(port);
  } finally {
    await pty.close();
  }
});

test('openPty reports hangup when the program closes the slave', async () => {
  const pty = await openPty();
  const port = new SerialPort({ path: pty.path, baudRate: 57600, autoOpen: false });
  const opened = new Promise<void>((resolve) => pty.events.once('open', resolve));
  await new Promise<void>((resolve, reject) => port.open((e) => (e ? reject(e) : resolve())));
  await opened;
  const hangup = new Promise<void>((resolve) => pty.events.once('hangup', resolve));
  await closePort(port);
  await hangup;
  await pty.close();
});

test('firmata-io over the board pty; unplug, then replug on the same path', async () => {
  const world = createWorld({ seed: 3 });
  const board = createVirtualFirmataBoard({ board: 'uno', world });
  const { path } = await board.openPty();
  assert.ok(lstatSync(path).isSymbolicLink());
  const firstDevice = readlinkSync(path);
  const port = new SerialPort({ path, baudRate: 57600 });
  const io = new Firmata(port);
  await ready(io);
  assert.is(io.firmware.name, 'StandardFirmata.ino');
  io.pinMode(13, 1);
  io.digitalWrite(13, 1);
  await until(() => board.pinState('13').value === 1, 'pin 13 high');

  const closed = new Promise<{ disconnected?: boolean } | null>((resolve) =>
    port.once('close', resolve),
  );
  board.unplug();
  const reason = await closed;
  assert.ok(reason?.disconnected, 'serialport saw the unplug as a disconnect');
  assert.not.ok(existsSync(path), 'the device path is gone while unplugged');

  await board.replug();
  assert.ok(existsSync(path), 'the same path is back');
  assert.ok(readlinkSync(path).startsWith('/dev/pts/'));
  assert.is(board.pinState('13').value, 0, 'the board rebooted: pin state was reset');
  const port2 = new SerialPort({ path, baudRate: 57600 });
  const io2 = new Firmata(port2);
  await ready(io2);
  io2.pinMode(13, 1);
  io2.digitalWrite(13, 1);
  await until(() => board.pinState('13').value === 1, 'pin 13 high');
  await closePort(port2);
  await board.close();
  assert.not.ok(existsSync(path), 'close removes the link');
  world.close();
  assert.ok(firstDevice.startsWith('/dev/pts/'));
});

test('closing and reopening the port without unplugging: the board resets on open', async () => {
  const world = createWorld({ seed: 3 });
  const board = createVirtualFirmataBoard({ board: 'uno', world });
  try {
    const { path } = await board.openPty();
    const port = new SerialPort({ path, baudRate: 57600 });
    const io = new Firmata(port);
    await ready(io);
    io.pinMode(7, 1);
    io.digitalWrite(7, 1);
    await until(() => board.pinState('7').value === 1, 'pin 7 high');
    await closePort(port);
    await until(() => !board.core.running, 'the board stopped');
    assert.is(board.pinState('7').value, 1, 'closing the port does not reset the board');
    const port2 = new SerialPort({ path, baudRate: 57600 });
    const io2 = new Firmata(port2);
    await ready(io2);
    assert.is(board.pinState('7').value, 0, 'opening it does, as DTR resets an Arduino');
    await closePort(port2);
  } finally {
    await board.close();
    world.close();
  }
});

test.run();
