/**
 * One suite, every way to reach the virtual board: the same firmata-io session over the mock
 * binding, a real pseudo-terminal and a plain Duplex. Each must give the same behaviour.
 */
import { createRequire } from 'node:module';
import { Duplex } from 'node:stream';
import { SerialPort, SerialPortMock } from 'serialport';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import {
  createVirtualFirmataBoard,
  type VirtualFirmataBoard,
} from '../../hardware/virtual/firmata/index.js';
import { createWorld, type World } from '../../hardware/virtual/world.js';
import { until } from '../helpers/until.js';

const require = createRequire(import.meta.url);
type FirmataIo = {
  once(event: string, fn: (...args: never[]) => void): void;
  firmware: { name: string };
  pins: unknown[];
  analogRead(pin: number, fn: (value: number) => void): void;
  digitalRead(pin: number, fn: (value: number) => void): void;
  pinMode(pin: number, mode: number): void;
  digitalWrite(pin: number, value: number): void;
};
const { Firmata } = require('firmata-io') as { Firmata: new (t: unknown) => FirmataIo };

interface Host {
  transport: { once(event: 'close', fn: () => void): unknown };
  teardown(): Promise<void>;
}

type Connect = (board: VirtualFirmataBoard) => Promise<Host>;

let mocks = 0;
const transports: [string, Connect][] = [
  [
    'mock binding',
    async (board) => {
      const path = `/dev/vfirmata-contract-${++mocks}`;
      await board.attachMock(path);
      const port = new SerialPortMock({ path, baudRate: 57600 });
      return { transport: port, teardown: () => closeIfOpen(port) };
    },
  ],
  [
    'pseudo-terminal',
    async (board) => {
      const { path } = await board.openPty();
      const port = new SerialPort({ path, baudRate: 57600 });
      return { transport: port, teardown: () => closeIfOpen(port) };
    },
  ],
  [
    'duplex stream',
    async (board) => {
      const [host, boardEnd] = duplexPair();
      board.attach(boardEnd);
      // A destroyed board end (unplugged) ends the host's end, as a cable pulled ends both.
      boardEnd.once('close', () => host.destroy());
      return { transport: host, teardown: async () => void host.destroy() };
    },
  ],
];

/** Two connected in-memory ends: what one writes, the other reads at once (synchronously). */
function duplexPair(): [Duplex, Duplex] {
  const ends: Duplex[] = [];
  const make = (other: () => Duplex) =>
    new Duplex({
      read() {},
      write(chunk, _encoding, done) {
        other().push(chunk);
        done();
      },
      final(done) {
        other().push(null);
        done();
      },
    });
  ends.push(
    make(() => ends[1]),
    make(() => ends[0]),
  );
  return [ends[0], ends[1]];
}

function closeIfOpen(port: SerialPort | SerialPortMock): Promise<void> {
  return new Promise((resolve) => (port.isOpen ? port.close(() => resolve()) : resolve()));
}

for (const [name, connect] of transports) {
  const test = suite<{ world: World; board: VirtualFirmataBoard; host: Host; io: FirmataIo }>(
    `virtual Firmata board over a ${name}`,
  );

  test.before.each(async (ctx) => {
    ctx.world = createWorld({ seed: 4 });
    ctx.world.setTemperature(20);
    ctx.board = createVirtualFirmataBoard({
      board: 'uno',
      world: ctx.world,
      parts: [
        { part: 'tmp36', pin: 'A0' },
        { part: 'button', pin: '2', params: { wiring: 'pulldown' } },
      ],
    });
    ctx.host = await connect(ctx.board);
    ctx.io = new Firmata(ctx.host.transport);
    await new Promise<void>((resolve) => ctx.io.once('ready', resolve));
  });

  test.after.each(async (ctx) => {
    await ctx.host.teardown();
    await ctx.board.close();
    ctx.world.close();
  });

  test('handshake: firmware name and the Uno pin table', ({ io }) => {
    assert.is(io.firmware.name, 'StandardFirmata.ino');
    assert.is(io.pins.length, 20);
  });

  test('A0 reads the TMP36 at the world temperature', async ({ io, world }) => {
    const first = await new Promise<number>((resolve) => io.analogRead(0, resolve));
    assert.is(first, Math.round((0.7 * 1024) / 5));
    world.setTemperature(35);
    let latest = first;
    io.analogRead(0, (v) => {
      latest = v;
    });
    await until(() => latest === Math.round((0.85 * 1024) / 5), 'A0 at 35 °C');
  });

  test('a button press is reported on pin 2; pin 13 drives the virtual LED', async (ctx) => {
    const seen: number[] = [];
    ctx.io.pinMode(2, 0);
    ctx.io.digitalRead(2, (v) => seen.push(v));
    await until(() => seen.length > 0, 'the first report');
    ctx.world.pressButton(2, 100);
    await until(() => seen.includes(1) && seen.at(-1) === 0, 'press and release');
    ctx.io.pinMode(13, 1);
    ctx.io.digitalWrite(13, 1);
    await until(() => ctx.board.pinState('13').value === 1, 'pin 13 high');
  });

  test('unplugging ends the host session', async ({ board, host }) => {
    const closed = new Promise<void>((resolve) => host.transport.once('close', resolve));
    board.unplug();
    await closed;
    assert.is(board.plugState, 'unplugged');
  });

  test.run();
}
