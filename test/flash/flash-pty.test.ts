import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SerialPort } from 'serialport';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { BOOT_INFO_FILE, SLOT_FILES } from '../../firmware/flash/layout.js';
import { silentProgress } from '../../firmware/flash/progress.js';
import { flashEspruino } from '../../firmware/flash/uploader.js';
import { VirtualEspruino } from '../../hardware/virtual/espruino/board.js';
import { type EspruinoPty, openEspruinoPty } from '../../hardware/virtual/espruino/pty-port.js';
import { openPty, type Pty } from '../../hardware/virtual/pty.js';
import { systemClock } from '../../lib/clock.js';
import { runCli } from '../helpers/cli.js';
import { flashError } from './flash-error.js';

const BUNDLE =
  'var n = 0;\nsetInterval(function () { n++; }, 1000);\nprint("pty firmware " + "up");\n';
const ctx = { binding: SerialPort.binding, clock: systemClock, progress: silentProgress };
const options = (path: string, extra: object = {}) => ({
  path,
  bundle: BUNDLE,
  filename: 'workshop.js',
  fw: 'workshop 1.0.0',
  greetTimeoutMs: 500,
  answerTimeoutMs: 1000,
  ...extra,
});

const opened: Array<EspruinoPty | Pty> = [];
const boards: VirtualEspruino[] = [];

async function boardOnPty(opts = {}): Promise<{ board: VirtualEspruino; path: string }> {
  const board = new VirtualEspruino(opts);
  boards.push(board);
  const pty = await openEspruinoPty(board);
  opened.push(pty);
  return { board, path: pty.path };
}

test.after.each(async () => {
  for (const pty of opened.splice(0)) await pty.close();
  for (const board of boards.splice(0)) board.close();
});

test('flashes and verifies over a pseudo-terminal', async () => {
  const { board, path } = await boardOnPty();
  const result = await flashEspruino(ctx, options(path));
  assert.is(result.fw, 'workshop 1.0.0');
  assert.is(board.storage.readBytes(SLOT_FILES[result.slot])?.toString('utf8'), BUNDLE);
  assert.is((board.storage.readJSON(BOOT_INFO_FILE) as { crc: number }).crc, result.crc);
  // The board runs the new code after the verify; on a loaded machine that takes a moment.
  for (let i = 0; i < 100 && !board.transcript.includes('pty firmware up'); i++) {
    await new Promise((r) => setTimeout(r, 50));
  }
  assert.ok(board.transcript.includes('pty firmware up'), board.transcript.slice(-500));
});

test('a board that resets when the port opens, over a pseudo-terminal', async () => {
  const { path } = await boardOnPty({ resetOnOpen: true, bootMs: 300 });
  const result = await flashEspruino(ctx, options(path));
  assert.is(result.fw, 'workshop 1.0.0');
});

test('a board that stops answering mid-upload, over a pseudo-terminal', async () => {
  const { board, path } = await boardOnPty();
  await flashEspruino(ctx, { ...options(path), bundle: 'print("first " + "one");\n', fw: 'first' });
  board.stopAnsweringAfter(2000);
  const error = await flashError(
    flashEspruino(ctx, { ...options(path), bundle: BUNDLE.repeat(30), chunkBytes: 128 }),
  );
  assert.is(error.kind, 'board-stopped');
  assert.match(error.message, /keeps its previous code/);
  assert.is((board.storage.readJSON(BOOT_INFO_FILE) as { fw: string }).fw, 'first');
});

test('a pseudo-terminal with no Espruino behind it', async () => {
  const pty = await openPty();
  opened.push(pty);
  const error = await flashError(flashEspruino(ctx, { ...options(pty.path), greetAttempts: 2 }));
  assert.is(error.kind, 'not-espruino');
  assert.match(error.message, new RegExp(`Nothing answered on ${pty.path}`));
});

test('a busy pseudo-terminal (another program holds the lock)', async () => {
  const { board, path } = await boardOnPty();
  const holder = new SerialPort({ path, baudRate: 115200, autoOpen: false });
  await new Promise<void>((resolve, reject) => holder.open((e) => (e ? reject(e) : resolve())));
  const error = await flashError(flashEspruino(ctx, options(path)));
  assert.is(error.kind, 'busy-port');
  assert.match(error.message, new RegExp(`Serial port ${path} is busy`));
  await new Promise((r) => holder.close(r));
  assert.is(board.bytesReceived, 0);
});

test('a port path that does not exist', async () => {
  const error = await flashError(flashEspruino(ctx, options('/dev/ttyFULLSTACK-missing')));
  assert.is(error.kind, 'port-missing');
});

test('a rejected bundle never reaches the pseudo-terminal', async () => {
  const { board, path } = await boardOnPty();
  const error = await flashError(
    flashEspruino(ctx, { ...options(path), bundle: 'async function main() { await 1; }\n' }),
  );
  assert.is(error.kind, 'rejected-bundle');
  assert.match(error.message, /async functions are not supported by Espruino/);
  assert.is(board.bytesReceived, 0);
});

const cli = (args: string[]) => runCli(args);

test('`fullstack flash --bundle` through the built CLI: success, then the errors it prints', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'fullstack-flash-cli-'));
  try {
    const good = join(dir, 'good.js');
    const bad = join(dir, 'bad.js');
    writeFileSync(good, BUNDLE);
    writeFileSync(bad, 'var o = { a: 1 };\nvar copy = { ...o };\n');
    const { board, path } = await boardOnPty();
    const ok = await cli(['flash', '--bundle', good, '--fw', 'cli 1.0', '--port', path]);
    assert.is(ok.code, 0, ok.stderr);
    assert.match(
      ok.stdout,
      new RegExp(
        `^Flashed cli 1\\.0 to PICO_R1_3 \\(Espruino 2v29\\) on ${path}: \\d+ bytes, CRC \\d+, slot a, verified\\.`,
      ),
    );
    assert.match(ok.stderr, /upload 100%/);
    assert.is((board.storage.readJSON(BOOT_INFO_FILE) as { fw: string }).fw, 'cli 1.0');
    const rejected = await cli(['flash', '--bundle', bad, '--port', path]);
    assert.is(rejected.code, 1);
    assert.match(
      rejected.stderr,
      /bad\.js:2:14: spread syntax \(\.\.\.\) is not supported by Espruino/,
    );
    const missing = await cli(['flash', '--bundle', good, '--port', '/dev/ttyFULLSTACK-none']);
    assert.is(missing.code, 1);
    assert.match(missing.stderr, /does not exist/);
    assert.match(missing.stderr, /fullstack ports/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test.run();
