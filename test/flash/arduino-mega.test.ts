import { SerialPort } from 'serialport';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { ARDUINO_BOARDS, flashFirmata, loadFirmataImage } from '../../firmware/flash/arduino.js';
import { refuseNonEspruino } from '../../firmware/flash/bundle-source.js';
import { FlashError } from '../../firmware/flash/errors.js';
import { type FlashProgress, silentProgress } from '../../firmware/flash/progress.js';
import { getBoard } from '../../hardware/boards/index.js';
import { VirtualEspruinoPorts } from '../../hardware/virtual/espruino/mock-port.js';
import {
  type BootloaderPty,
  openBootloaderPty,
  VirtualStk500v2Bootloader,
} from '../../hardware/virtual/stk500v2/index.js';
import { systemClock } from '../../lib/clock.js';
import { runCli } from '../helpers/cli.js';
import { flashError } from './flash-error.js';

const CMD_SIGN_ON = 0x01;
const CMD_LEAVE_PROGMODE_ISP = 0x11;
const CMD_PROGRAM_FLASH_ISP = 0x13;
const CMD_READ_FLASH_ISP = 0x14;
const CMD_READ_SIGNATURE_ISP = 0x1b;
const MEGA_USB = { vendorId: '2341', productId: '0042' };

const ports = new VirtualEspruinoPorts();
const ctx = { binding: ports, clock: systemClock, progress: silentProgress };
const image = await loadFirmataImage(ARDUINO_BOARDS.mega!);
const ptys: BootloaderPty[] = [];

test.after.each(async () => {
  ports.reset();
  for (const pty of ptys.splice(0)) await pty.close();
});

function recordingProgress(): FlashProgress & { lines: string[] } {
  const lines: string[] = [];
  return {
    lines,
    step: (step, detail) => lines.push(`${step}: ${detail}`),
    chunk: (sent, total) => lines.push(`chunk ${sent}/${total}`),
  };
}

const hex = (n: number) => `0x${n.toString(16)}`;

test('writes StandardFirmata to a Mega 2560, reads every page back, starts the sketch', async () => {
  const mega = new VirtualStk500v2Bootloader();
  ports.addBoard('/dev/ttyACM0', mega, MEGA_USB);
  const progress = recordingProgress();
  const result = await flashFirmata({ ...ctx, progress }, { path: '/dev/ttyACM0', board: 'mega' });
  assert.equal(result, { board: 'Arduino Mega 2560', bytes: image.length });
  assert.ok(mega.flash.subarray(0, image.length).equals(image), 'the flash holds the image');
  assert.ok(
    mega.flash.subarray(image.length).every((b) => b === 0xff),
    'nothing written past the image',
  );
  assert.is(mega.state, 'application');
  const pages = Math.ceil(image.length / 256);
  const count = (id: number) => mega.commands.filter((c) => c === id).length;
  assert.is(mega.commands[0], CMD_SIGN_ON);
  assert.is(count(CMD_PROGRAM_FLASH_ISP), pages);
  assert.is(count(CMD_READ_FLASH_ISP), pages, 'every page read back');
  assert.ok(
    mega.commands.indexOf(CMD_READ_SIGNATURE_ISP) < mega.commands.indexOf(CMD_PROGRAM_FLASH_ISP),
  );
  assert.is(mega.commands.at(-1), CMD_LEAVE_PROGMODE_ISP);
  const steps = progress.lines.filter((l) => !l.startsWith('chunk')).map((l) => l.split(':')[0]);
  assert.equal(steps, ['opening', 'connecting', 'uploading', 'verifying', 'done']);
  assert.is(progress.lines.filter((l) => l.startsWith('chunk')).length, pages);
  assert.ok(progress.lines.includes(`chunk ${image.length}/${image.length}`));
});

test('a board with another signature is refused before anything is written', async () => {
  const uno = new VirtualStk500v2Bootloader({ signature: Buffer.from([0x1e, 0x95, 0x0f]) });
  ports.addBoard('/dev/ttyACM0', uno);
  const error = await flashError(flashFirmata(ctx, { path: '/dev/ttyACM0', board: 'mega' }));
  assert.is(error.kind, 'verify-failed');
  assert.match(
    error.message,
    "signature: not the Arduino Mega 2560's ATmega2560 (it reads 1E 95 0F, an ATmega328P (Uno, Nano))",
  );
  assert.match(error.hint, /--board \(uno, nano, nano-old, mega\)/);
  assert.not.ok(uno.commands.includes(CMD_PROGRAM_FLASH_ISP), 'no page sent');
  assert.ok(
    uno.flash.every((b) => b === 0xff),
    'flash untouched',
  );
  assert.is(uno.state, 'bootloader');
});

test('a bootloader that stops answering mid-upload: which page, which command', async () => {
  const mega = new VirtualStk500v2Bootloader();
  // Sign-on, three signature bytes and programming mode are 5 answers; each page is 2 (load
  // address, program): 30 answers leave page 12's CMD_PROGRAM_FLASH_ISP unanswered.
  mega.stopAnsweringAfter(30);
  ports.addBoard('/dev/ttyACM0', mega);
  const error = await flashError(
    flashFirmata(ctx, { path: '/dev/ttyACM0', board: 'mega', timeouts: { flashMs: 300 } }),
  );
  assert.is(error.kind, 'board-stopped');
  assert.is(
    error.message,
    'The Arduino Mega 2560 on /dev/ttyACM0 stopped answering while writing the page at 0xc00 (no answer to CMD_PROGRAM_FLASH_ISP within 300 ms).',
  );
  assert.match(error.hint, /run the flash again/);
  assert.ok(mega.flash.subarray(0, 0xc00).equals(image.subarray(0, 0xc00)), 'pages before it');
});

test('a byte that reads back different fails the verify, naming its address', async () => {
  const worn = 0x1234;
  const mega = new VirtualStk500v2Bootloader({ wornByteAt: worn });
  ports.addBoard('/dev/ttyACM0', mega);
  const error = await flashError(flashFirmata(ctx, { path: '/dev/ttyACM0', board: 'mega' }));
  assert.is(error.kind, 'verify-failed');
  const read = image[worn]! ^ 0xff;
  assert.match(
    error.message,
    `verify: flash at 0x1234 reads ${hex(read)}, the image has ${hex(image[worn]!)}`,
  );
  assert.is(mega.state, 'bootloader', 'the bad image is not started');
});

test('no bootloader on the port: silent, or echoing what it is sent', async () => {
  ports.addOtherPort('/dev/ttyUSB0');
  ports.addOtherPort('/dev/ttyUSB1', { echo: true });
  for (const path of ['/dev/ttyUSB0', '/dev/ttyUSB1']) {
    const error = await flashError(flashFirmata(ctx, { path, board: 'mega' }));
    assert.is(error.kind, 'no-bootloader', path);
    assert.is(
      error.message,
      `No Arduino bootloader answered on ${path} (no answer to CMD_SIGN_ON (5 tries of 200 ms)).`,
    );
    assert.match(error.hint, /this port is the Arduino Mega 2560/);
    assert.not.match(error.hint, /nano-old/);
  }
});

test('an unknown board says which can be flashed', async () => {
  const error = await flashError(flashFirmata(ctx, { path: '/dev/x', board: 'leonardo' }));
  assert.is(error.kind, 'board-error');
  assert.is(error.hint, 'Allowed: uno, nano, nano-old, mega.');
});

test('`fullstack flash <config>` of a Mega config points to --board mega', () => {
  try {
    refuseNonEspruino('hardware/devices/mega-bench.json', 'mega-bench', getBoard('mega'));
  } catch (error) {
    assert.instance(error, FlashError);
    assert.match((error as FlashError).hint, '`fullstack flash --board mega --port P`');
    return;
  }
  assert.unreachable('a Mega config is not flashed with a bundle');
});

test('flashes a Mega behind a pseudo-terminal through the real serialport binding', async () => {
  const mega = new VirtualStk500v2Bootloader();
  const pty = await openBootloaderPty(mega);
  ptys.push(pty);
  const progress = recordingProgress();
  const result = await flashFirmata(
    { binding: SerialPort.binding, clock: systemClock, progress },
    { path: pty.path, board: 'mega' },
  );
  assert.is(result.bytes, image.length);
  assert.ok(mega.flash.subarray(0, image.length).equals(image));
  assert.is(mega.state, 'application');
  // A pty has no modem lines: the reset is skipped, and said.
  assert.ok(
    progress.lines.some((l) => /no DTR\/RTS lines .*Inappropriate ioctl/.test(l)),
    progress.lines.join('\n'),
  );
});

const cli = (args: string[]) => runCli(args);

test('`fullstack flash --board mega --port <pty>` end to end: success, then a wrong board', async () => {
  const mega = new VirtualStk500v2Bootloader();
  const pty = await openBootloaderPty(mega);
  ptys.push(pty);
  const ok = await cli(['flash', '--board', 'mega', '--port', pty.path]);
  assert.is(ok.code, 0, ok.stderr);
  assert.is(
    ok.stdout,
    `Flashed StandardFirmata to Arduino Mega 2560 on ${pty.path}: the gateway can drive it now.\n`,
  );
  assert.match(ok.stderr, /^opening: opening .* at 115200 baud$/m);
  assert.match(ok.stderr, new RegExp(`upload 100% \\(${image.length}/${image.length} bytes\\)`));
  assert.match(ok.stderr, /^done: StandardFirmata written to Arduino Mega 2560 and verified$/m);
  assert.ok(mega.flash.subarray(0, image.length).equals(image));

  const other = new VirtualStk500v2Bootloader({ signature: Buffer.from([0x1e, 0x97, 0x03]) });
  const otherPty = await openBootloaderPty(other);
  ptys.push(otherPty);
  const refused = await cli(['flash', '--board', 'mega', '--port', otherPty.path]);
  assert.is(refused.code, 1);
  assert.match(refused.stderr, /it reads 1E 97 03, an ATmega1280 \(Mega 1280\)/);
  assert.ok(other.flash.every((b) => b === 0xff));
});

test.run();
