import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { choosePort, type FlashCommandContext, runFlash } from '../../cli/commands/flash.js';
import { formatPortTable, runPorts } from '../../cli/commands/ports.js';
import { guessBoard, listSerialPorts } from '../../firmware/flash/port-list.js';
import { silentProgress } from '../../firmware/flash/progress.js';
import { VirtualEspruino } from '../../hardware/virtual/espruino/board.js';
import { VirtualEspruinoPorts } from '../../hardware/virtual/espruino/mock-port.js';
import { systemClock } from '../../lib/clock.js';
import { flashError } from './flash-error.js';

const GUESSES: ReadonlyArray<
  [vendor: string | undefined, product: string | undefined, family: string]
> = [
  ['0483', '5740', 'espruino'],
  ['10c4', 'ea60', 'esp-usb-serial'],
  ['1a86', '7523', 'esp-usb-serial'],
  ['0403', '6001', 'ftdi'],
  ['2341', '0043', 'arduino'],
  ['2341', '0010', 'arduino'],
  ['0x2341', '0x0043', 'arduino'],
  ['1234', '5678', 'unknown'],
  [undefined, undefined, 'unknown'],
];

for (const [vendor, product, family] of GUESSES) {
  test(`guesses ${vendor}:${product} as ${family}`, () => {
    assert.is(guessBoard(vendor, product).family, family);
  });
}

const ports = new VirtualEspruinoPorts();
let dir: string;
let byId: string;

test.before.each(() => {
  dir = mkdtempSync(join(tmpdir(), 'fullstack-ports-'));
  byId = join(dir, 'by-id');
  mkdirSync(byId);
});
test.after.each(() => {
  ports.reset();
  rmSync(dir, { recursive: true, force: true });
});

/** A device node stand-in (a file) with a by-id link to it, as udev makes them. */
function device(name: string, link?: string): string {
  const path = join(dir, name);
  writeFileSync(path, '');
  if (link) symlinkSync(path, join(byId, link));
  return path;
}

test('lists ports with by-id names, USB ids and guesses', async () => {
  const pico = device('ttyACM0', 'usb-Espruino_Pico_1234-if00');
  const ch340 = device('ttyUSB0');
  ports.addBoard(pico, new VirtualEspruino());
  ports.addOtherPort(ch340, { vendorId: '1a86', productId: '7523', manufacturer: 'QinHeng' });
  const listed = await listSerialPorts({ binding: ports, byIdDir: byId });
  assert.equal(
    listed.map((p) => [p.path, p.byId, p.guess.family]),
    [
      [pico, join(byId, 'usb-Espruino_Pico_1234-if00'), 'espruino'],
      [ch340, undefined, 'esp-usb-serial'],
    ],
  );
  const table = formatPortTable(listed);
  assert.match(table, /^PATH\s+USB ID\s+GUESS\s+BY-ID/);
  assert.match(table, /0483:5740\s+Espruino \(STM32 USB\)/);
  let json = '';
  await runPorts({ binding: ports, byIdDir: byId }, { json: true }, (t) => (json = t));
  assert.is(JSON.parse(json)[1].vendorId, '1a86');
});

test('no ports: the table says what to do; a missing by-id folder is no error', async () => {
  const listed = await listSerialPorts({ binding: ports, byIdDir: join(dir, 'absent') });
  assert.equal(listed, []);
  assert.match(formatPortTable(listed), /No serial ports found\. Plug the board in/);
});

test('Linux without udevadm: the list fails saying what is missing and what to do', async () => {
  const noUdev = {
    ...ports,
    list: async () => {
      throw new Error('spawn udevadm ENOENT');
    },
  } as unknown as typeof ports;
  const error = await listSerialPorts({ binding: noUdev, byIdDir: byId }).then(
    () => null,
    (e: Error) => e,
  );
  assert.match(
    String(error?.message),
    /udevadm is not installed .*install the udev package, or name the port with --port/,
  );
});

function flashContext(lines: string[]): FlashCommandContext {
  return {
    binding: ports,
    clock: systemClock,
    progress: silentProgress,
    byIdDir: byId,
    buildConfig: async () => ({
      code: 'print("built " + "bundle");\n',
      filename: 'porch.js',
      fw: 'porch 1.0.0',
    }),
    write: (line) => lines.push(line),
  };
}

test('flash picks the only Espruino port when none is given', async () => {
  const pico = device('ttyACM0', 'usb-Espruino_Pico-if00');
  ports.addBoard(pico, new VirtualEspruino());
  ports.addOtherPort(device('ttyS0'));
  const lines: string[] = [];
  await runFlash(flashContext(lines), { config: 'hardware/devices/porch.json' });
  assert.is(lines.length, 1);
  assert.match(lines[0]!, /^Flashed porch 1\.0\.0 to PICO_R1_3 \(Espruino 2v29\) on /);
  assert.match(lines[0]!, new RegExp(`on ${pico}: \\d+ bytes, CRC \\d+, slot a, verified\\.$`));
});

test('flash with no candidate port, and with two', async () => {
  ports.addOtherPort(device('ttyS0'));
  const none = await flashError(choosePort(flashContext([])));
  assert.is(none.kind, 'no-port');
  assert.match(none.message, /No Espruino or ESP board found/);
  assert.match(none.hint, /--port/);
  ports.addBoard(device('ttyACM0'), new VirtualEspruino());
  ports.addBoard(device('ttyACM1'), new VirtualEspruino());
  const two = await flashError(choosePort(flashContext([])));
  assert.is(two.kind, 'several-ports');
  assert.match(two.message, /2 boards could be the one/);
});

test('flash argument errors say what is allowed', async () => {
  const ctx = flashContext([]);
  assert.match((await flashError(runFlash(ctx, {}))).message, /Nothing to flash/);
  assert.match((await flashError(runFlash(ctx, { board: 'uno' }))).message, /--board needs --port/);
  const leonardo = await flashError(runFlash(ctx, { board: 'leonardo', port: '/dev/x' }));
  assert.is(leonardo.hint, 'Allowed: uno, nano, nano-old, mega.');
  const both = await flashError(runFlash(ctx, { board: 'uno', port: '/dev/x', config: 'a.json' }));
  assert.match(both.message, /takes no config/);
});

test.run();
