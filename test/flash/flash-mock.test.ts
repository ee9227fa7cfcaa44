import { Writable } from 'node:stream';
import { SerialPortStream } from '@serialport/stream';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { bundleFromConfig } from '../../firmware/flash/bundle-source.js';
import { BOOT_INFO_FILE, SLOT_FILES } from '../../firmware/flash/layout.js';
import { barProgress, lineProgress } from '../../firmware/flash/progress.js';
import { flashEspruino } from '../../firmware/flash/uploader.js';
import { VirtualEspruino } from '../../hardware/virtual/espruino/board.js';
import { VirtualEspruinoPorts } from '../../hardware/virtual/espruino/mock-port.js';
import { systemClock } from '../../lib/clock.js';
import { repoPath } from '../../lib/paths.js';
import { flashError } from './flash-error.js';

const BUNDLE = [
  'var started = getTime();',
  'var count = 0;',
  'function tick() { count++; }',
  'setInterval(tick, 1000);',
  'print("fullstack firmware " + "v2 up");',
  '',
].join('\n');
const OLD = 'print("old firmware " + "running");\n';

const ports = new VirtualEspruinoPorts();
const lines: string[] = [];
const ctx = { binding: ports, clock: systemClock, progress: lineProgress((l) => lines.push(l)) };
const options = (path: string, extra: object = {}) => ({
  path,
  bundle: BUNDLE,
  filename: 'greenhouse.js',
  fw: 'greenhouse 0.2.0',
  greetTimeoutMs: 300,
  answerTimeoutMs: 500,
  ...extra,
});

/** Flashes OLD first so the board has previous code to keep. */
async function boardWithOldFirmware(path: string, opts = {}): Promise<VirtualEspruino> {
  const board = new VirtualEspruino(opts);
  ports.addBoard(path, board);
  await flashEspruino(ctx, { ...options(path), bundle: OLD, fw: 'old 0.1.0' });
  return board;
}

test.after.each(() => {
  ports.reset();
  lines.length = 0;
});

test('flashes, verifies, and the board runs the new firmware', async () => {
  const board = new VirtualEspruino();
  ports.addBoard('/dev/ttyACM0', board);
  const result = await flashEspruino(ctx, options('/dev/ttyACM0'));
  assert.is(result.fw, 'greenhouse 0.2.0');
  assert.is(result.board, 'PICO_R1_3');
  assert.is(result.interpreter, '2v29');
  assert.is(board.storage.readBytes(SLOT_FILES[result.slot])?.toString('utf8'), BUNDLE);
  assert.equal(board.storage.readJSON(BOOT_INFO_FILE), {
    slot: result.slot,
    fw: 'greenhouse 0.2.0',
    size: result.size,
    crc: result.crc,
  });
  await new Promise((r) => setTimeout(r, 20));
  assert.ok(board.transcript.includes('fullstack firmware v2 up'), board.transcript);
  assert.is(board.timerCount, 1, 'the firmware interval runs');
  assert.ok(
    lines.some((l) => l.startsWith('upload 100%')),
    lines.join('\n'),
  );
  board.powerCycle();
  await new Promise((r) => setTimeout(r, 150));
  assert.is(board.transcript.split('fullstack firmware v2 up').length, 3, 'runs again at power-up');
});

test('a second flash goes to the other slot and remembers the previous one', async () => {
  const board = await boardWithOldFirmware('/dev/ttyACM0');
  const first = board.storage.readJSON(BOOT_INFO_FILE) as { slot: string };
  const result = await flashEspruino(ctx, options('/dev/ttyACM0'));
  assert.is.not(result.slot, first.slot);
  assert.is((board.storage.readJSON(BOOT_INFO_FILE) as { previous: string }).previous, first.slot);
});

test('a board that stops answering mid-upload keeps its previous code', async () => {
  const board = await boardWithOldFirmware('/dev/ttyACM0');
  const before = board.storage.readJSON(BOOT_INFO_FILE);
  board.stopAnsweringAfter(1500);
  const big = options('/dev/ttyACM0', { bundle: BUNDLE.repeat(20), chunkBytes: 64 });
  const error = await flashError(flashEspruino(ctx, big));
  assert.is(error.kind, 'board-stopped');
  assert.match(error.message, /stopped answering after \d+ of \d+ bytes \(\d+%\)/, error.message);
  assert.match(error.message, /keeps its previous code/);
  assert.match(error.hint, /replug/);
  assert.equal(board.storage.readJSON(BOOT_INFO_FILE), before);
  board.replug();
  await new Promise((r) => setTimeout(r, 150));
  assert.ok(board.transcript.endsWith('old firmware running\r\n>'), board.transcript.slice(-200));
});

test('a port with no Espruino behind it', async () => {
  ports.addOtherPort('/dev/ttyUSB0', { echo: true, vendorId: '1a86', productId: '7523' });
  const error = await flashError(
    flashEspruino(ctx, { ...options('/dev/ttyUSB0'), greetAttempts: 2 }),
  );
  assert.is(error.kind, 'not-espruino');
  assert.match(error.message, /not like an Espruino REPL/);
  ports.addOtherPort('/dev/ttyUSB1');
  const silent = await flashError(
    flashEspruino(ctx, { ...options('/dev/ttyUSB1'), greetAttempts: 2 }),
  );
  assert.is(silent.kind, 'not-espruino');
  assert.match(silent.message, /Nothing answered on \/dev\/ttyUSB1/);
});

test('a busy port (already open elsewhere)', async () => {
  const board = new VirtualEspruino();
  ports.addBoard('/dev/ttyACM0', board);
  const other = new SerialPortStream({ binding: ports, path: '/dev/ttyACM0', baudRate: 9600 });
  await new Promise((r) => other.on('open', r));
  const error = await flashError(flashEspruino(ctx, options('/dev/ttyACM0')));
  assert.is(error.kind, 'busy-port');
  assert.match(error.message, /busy/);
  assert.match(error.hint, /Close the other program/);
  await new Promise((r) => other.close(r));
});

test('a port that does not exist', async () => {
  const error = await flashError(flashEspruino(ctx, options('/dev/ttyACM9')));
  assert.is(error.kind, 'port-missing');
  assert.match(error.hint, /fullstack ports/);
});

test('a bundle the interpreter would reject is refused before the port is opened', async () => {
  const board = new VirtualEspruino();
  ports.addBoard('/dev/ttyACM0', board);
  const bad = 'var a = 1;\nfunction later() { const { x } = a; return x ** 2; }\n';
  const error = await flashError(flashEspruino(ctx, { ...options('/dev/ttyACM0'), bundle: bad }));
  assert.is(error.kind, 'rejected-bundle');
  assert.match(error.message, /greenhouse\.js:2:26: object destructuring/);
  assert.match(error.message, /\*\* operator/);
  assert.is(board.bytesReceived, 0, 'nothing reached the board');
});

test('a board that resets when the port opens is still flashed', async () => {
  const board = new VirtualEspruino({ resetOnOpen: true, bootMs: 400 });
  ports.addBoard('/dev/ttyACM0', board);
  const result = await flashEspruino(ctx, options('/dev/ttyACM0'));
  assert.is(result.fw, 'greenhouse 0.2.0');
});

test('a device config built by the Espruino target is flashed and verified', async () => {
  const bundle = await bundleFromConfig(repoPath('hardware', 'devices', 'pico-desk.json'), {
    broker: 'mqtt://127.0.0.1:1883',
  });
  const board = new VirtualEspruino();
  ports.addBoard('/dev/ttyACM0', board);
  const result = await flashEspruino(ctx, {
    ...options('/dev/ttyACM0'),
    bundle: bundle.code,
    filename: bundle.filename,
    fw: bundle.fw,
  });
  assert.match(result.fw, /^fullstack\//);
  assert.is(board.storage.readBytes(SLOT_FILES[result.slot])?.toString('utf8'), bundle.code);
});

/** A terminal for cli-progress: a Writable with the TTY methods it calls. */
class FakeTerminal extends Writable {
  drawn = '';
  readonly isTTY = true;
  readonly columns = 100;
  override _write(chunk: Buffer, _encoding: string, done: () => void): void {
    this.drawn += chunk.toString();
    done();
  }
  cursorTo(): boolean {
    return true;
  }
  clearLine(): boolean {
    return true;
  }
  moveCursor(): boolean {
    return true;
  }
}

test('on a terminal the upload shows a progress bar', async () => {
  const tty = new FakeTerminal();
  const board = new VirtualEspruino();
  ports.addBoard('/dev/ttyACM0', board);
  const progress = barProgress(tty as unknown as NodeJS.WriteStream);
  await flashEspruino({ ...ctx, progress }, { ...options('/dev/ttyACM0'), chunkBytes: 32 });
  assert.match(tty.drawn, /upload \[[=-]+\] \d+% \| \d+\/\d+ bytes/, JSON.stringify(tty.drawn));
  assert.match(tty.drawn, /upload \[=+\] 100% \| (\d+)\/\1 bytes/);
  assert.match(tty.drawn, /done: flashed greenhouse 0\.2\.0/);
});

test('a board whose old firmware keeps printing errors is still flashed', async () => {
  const board = new VirtualEspruino();
  ports.addBoard('/dev/ttyACM0', board);
  await flashEspruino(ctx, {
    ...options('/dev/ttyACM0'),
    bundle: 'setInterval(function () { brokenCall(); }, 5);\n',
    fw: 'noisy 0.0.1',
  });
  await new Promise((r) => setTimeout(r, 30));
  assert.match(board.transcript, /Uncaught ReferenceError: "brokenCall" is not defined/);
  const result = await flashEspruino(ctx, options('/dev/ttyACM0'));
  assert.is(result.fw, 'greenhouse 0.2.0');
});

test.run();
