/**
 * The Espruino uploader: checks the bundle, opens the port, breaks into the REPL, turns echo
 * off, writes the bundle in paced chunks into the inactive Storage slot, checks its CRC there,
 * switches the boot record to it, verifies the stored code and version read back from the
 * board, and restarts the board into it. Chunks are paced by waiting for each one's answer
 * (stop-and-wait), which is also how a board that stops answering is noticed.
 *
 * Why not EspruinoTools (npm `espruino`) and why not `save()`: docs/flashing.md.
 */
import { crc32 } from 'node:zlib';
import { SerialPortStream } from '@serialport/stream';
import type { Clock } from '../../lib/clock.js';
import { checkEspruinoSyntax, formatEspruinoSyntaxProblems } from '../espruino/syntax-check.js';
import { FlashError, portOpenError } from './errors.js';
import {
  BOOT_CODE_FILE,
  BOOT_INFO_FILE,
  type BootInfo,
  bytesNeeded,
  LOADER,
  otherSlot,
  SLOT_FILES,
  type Slot,
} from './layout.js';
import type { FlashProgress } from './progress.js';
import { NoAnswerError, ReplLink } from './repl-link.js';

export type SerialBinding = ConstructorParameters<typeof SerialPortStream>[0]['binding'];

/** Bytes per upload chunk: 512 characters of base64 per line, well inside Espruino's input buffer. */
export const DEFAULT_UPLOAD_CHUNK_BYTES = 384;

export interface FlashContext {
  /** The serial binding: the real one (`SerialPort.binding`) or a virtual board's. */
  binding: SerialBinding;
  clock: Clock;
  progress: FlashProgress;
}

export interface FlashOptions {
  path: string;
  bundle: string;
  /** Name of the bundle in messages. */
  filename: string;
  /** Firmware version recorded with the bundle. */
  fw: string;
  /** Default 115200 (ESP boards; Espruino's own USB ignores it). */
  baudRate?: number;
  /** Bytes per chunk; default 384 (512 characters of base64 per line). */
  chunkBytes?: number;
  /** How long to wait for an answer once the board has answered once. Default 3000 ms. */
  answerTimeoutMs?: number;
  /** Tries to get a first answer (a board may be rebooting after the port opened). Default 5. */
  greetAttempts?: number;
  greetTimeoutMs?: number;
}

export interface FlashResult {
  path: string;
  board: string;
  interpreter: string;
  fw: string;
  slot: Slot;
  size: number;
  crc: number;
}

interface Identity {
  v: string;
  b: string;
}

/** CRC-32 (IEEE), as Espruino's E.CRC32; unsigned. */
export function bundleCrc(bytes: Buffer): number {
  return crc32(bytes) >>> 0;
}

/** Refuses, before any port is touched, a bundle the interpreter would reject. */
export function checkBundle(bundle: string, filename: string): void {
  const problems = checkEspruinoSyntax(bundle, filename);
  if (problems.length > 0) {
    throw new FlashError(
      'rejected-bundle',
      `${filename} uses ${problems.length} construct(s) the Espruino interpreter does not have; nothing was uploaded:\n${formatEspruinoSyntaxProblems(problems)}`,
      'Rewrite those lines in the subset Espruino runs (docs/flashing.md lists it) or fix the build target, then flash again.',
    );
  }
}

function openPort(ctx: FlashContext, path: string, baudRate: number): Promise<SerialPortStream> {
  const port = new SerialPortStream({ binding: ctx.binding, path, baudRate, autoOpen: false });
  return new Promise((resolve, reject) => {
    port.open((error) => (error ? reject(portOpenError(path, error)) : resolve(port)));
  });
}

/** Drains first (tcdrain): the last line written, load(), must reach the board before close. */
function closePort(port: SerialPortStream): Promise<void> {
  if (!port.isOpen) return Promise.resolve();
  return new Promise((resolve) => port.drain(() => port.close(() => resolve())));
}

export async function flashEspruino(
  ctx: FlashContext,
  options: FlashOptions,
): Promise<FlashResult> {
  ctx.progress.step('checking', `${options.filename}: checking for syntax Espruino lacks`);
  checkBundle(options.bundle, options.filename);
  const bytes = Buffer.from(options.bundle, 'utf8');
  ctx.progress.step('opening', `opening ${options.path}`);
  const port = await openPort(ctx, options.path, options.baudRate ?? 115_200);
  const link = new ReplLink(port, ctx.clock);
  const state: UploadState = { stage: 'connecting', sent: 0, total: bytes.length };
  const closed = new Promise<never>((_, reject) => {
    port.once('close', () => reject(new NoAnswerError('the serial port closed')));
  });
  closed.catch(() => undefined);
  try {
    return await Promise.race([upload(ctx, link, options, bytes, state), closed]);
  } catch (error) {
    throw explain(error, options, link, state);
  } finally {
    link.close(new NoAnswerError('flash finished'));
    await closePort(port);
  }
}

/** Which stage the upload reached, for the error if it stops there. */
interface UploadState {
  stage: 'connecting' | 'preparing' | 'uploading' | 'switching' | 'verifying';
  sent: number;
  total: number;
}

async function greet(link: ReplLink, options: FlashOptions): Promise<Identity> {
  const attempts = options.greetAttempts ?? 5;
  for (let attempt = 1; ; attempt++) {
    try {
      // Ctrl-C clears whatever half-typed line the REPL holds; what the running firmware
      // printed before (its own "Uncaught …" errors included) is not an answer.
      await link.write('\x03');
      link.discardInput();
      return await link.query<Identity>(
        '{v:process.env.VERSION,b:process.env.BOARD}',
        options.greetTimeoutMs ?? 700,
      );
    } catch (error) {
      // A failing firmware may print errors between our questions: ask again.
      const retry = error instanceof NoAnswerError || /Uncaught/.test((error as Error).message);
      if (!retry || attempt >= attempts) throw error;
    }
  }
}

async function upload(
  ctx: FlashContext,
  link: ReplLink,
  options: FlashOptions,
  bytes: Buffer,
  state: UploadState,
): Promise<FlashResult> {
  const timeout = options.answerTimeoutMs ?? 3000;
  ctx.progress.step('connecting', 'breaking into the REPL');
  await greet(link, options);
  // reset() stops the running firmware (its timers and output); flash is untouched by it.
  await link.write('\x10echo(0)\n\x10reset()\n');
  const identity = await greet(link, options);
  await link.write('\x10echo(0)\n');
  state.stage = 'preparing';
  ctx.progress.step('connecting', `Espruino ${identity.v} on ${identity.b}`);
  const before = await link.query<{ free: number; boot: BootInfo | undefined }>(
    `{free:require("Storage").getFree(),boot:require("Storage").readJSON("${BOOT_INFO_FILE}",1)}`,
    timeout,
  );
  const slot = otherSlot(before.boot?.slot);
  const file = SLOT_FILES[slot];
  const needed = bytesNeeded(bytes.length);
  if (before.free < needed) {
    throw new FlashError(
      'too-big',
      `${options.filename} needs ${needed} bytes of Storage on the board but only ${before.free} are free (the previous firmware is kept until the new one is verified).`,
      'Make the bundle smaller (fewer sensors or modules), or erase the board first with `require("Storage").eraseAll()` in the Espruino console (it then has no firmware until this one is flashed).',
    );
  }
  await link.query(`require("Storage").erase("${file}")`, timeout);
  state.stage = 'uploading';
  ctx.progress.step('uploading', `writing ${bytes.length} bytes to slot ${slot}`);
  const chunk = options.chunkBytes ?? DEFAULT_UPLOAD_CHUNK_BYTES;
  for (let offset = 0; offset < bytes.length; offset += chunk) {
    const part = bytes.subarray(offset, offset + chunk).toString('base64');
    const ok = await link.query<boolean>(
      `require("Storage").write("${file}",atob("${part}"),${offset},${bytes.length})`,
      timeout,
    );
    if (ok !== true) {
      throw new FlashError(
        'board-error',
        `The board refused to write bytes ${offset} to ${offset + chunk} of ${file}.`,
        'Its flash may be full or worn: try `require("Storage").compact()` in the Espruino console, then flash again.',
      );
    }
    state.sent = Math.min(bytes.length, offset + chunk);
    ctx.progress.chunk(state.sent, bytes.length);
  }
  const crc = bundleCrc(bytes);
  const stored = await link.query<{ n: number; c: number }>(
    `{n:require("Storage").read("${file}").length,c:E.CRC32(require("Storage").read("${file}"))>>>0}`,
    timeout,
  );
  if (stored.n !== bytes.length || stored.c !== crc) {
    throw new FlashError(
      'verify-failed',
      `The copy on the board differs from ${options.filename} (board: ${stored.n} bytes, CRC ${stored.c}; sent: ${bytes.length} bytes, CRC ${crc}). The board still boots its previous firmware.`,
      'Flash again; if it keeps failing, use a shorter USB cable or a lower --chunk-bytes.',
    );
  }
  state.stage = 'switching';
  ctx.progress.step('verifying', 'switching the boot record to the new slot');
  const info: BootInfo = {
    slot,
    fw: options.fw,
    size: bytes.length,
    crc,
    previous: before.boot?.slot,
  };
  await link.query(
    `require("Storage").writeJSON("${BOOT_INFO_FILE}",${JSON.stringify(info)})`,
    timeout,
  );
  await link.query(
    `require("Storage").write("${BOOT_CODE_FILE}",${JSON.stringify(LOADER)})`,
    timeout,
  );
  state.stage = 'verifying';
  const check = await link.query<{ i: BootInfo; c: number; l: boolean; v: string }>(
    `{i:require("Storage").readJSON("${BOOT_INFO_FILE}"),c:E.CRC32(require("Storage").read("${file}"))>>>0,l:require("Storage").read("${BOOT_CODE_FILE}")==${JSON.stringify(LOADER)},v:process.env.VERSION}`,
    timeout,
  );
  if (check.i?.fw !== options.fw || check.i?.slot !== slot || check.c !== crc || !check.l) {
    throw new FlashError(
      'verify-failed',
      `Read back from the board: firmware "${check.i?.fw}" in slot ${check.i?.slot}, CRC ${check.c}, loader ${check.l ? 'present' : 'missing'}; expected "${options.fw}" in slot ${slot}, CRC ${crc}.`,
      'Flash again. If it persists, erase the board (`require("Storage").eraseAll()`) and flash.',
    );
  }
  // load() restarts the interpreter and runs .bootcde: the new firmware starts now.
  await link.write('\x10load()\n');
  ctx.progress.step(
    'done',
    `flashed ${options.fw} (${bytes.length} bytes, CRC ${crc}) and verified`,
  );
  return {
    path: options.path,
    board: identity.b,
    interpreter: check.v,
    fw: options.fw,
    slot,
    size: bytes.length,
    crc,
  };
}

function explain(error: unknown, options: FlashOptions, link: ReplLink, state: UploadState): Error {
  if (error instanceof FlashError) return error;
  if (error instanceof NoAnswerError && state.stage === 'connecting') {
    const heard = link.bytesReceived > 0;
    return new FlashError(
      'not-espruino',
      heard
        ? `${options.path} answered, but not like an Espruino REPL (it said: ${JSON.stringify(link.recentOutput(60))}).`
        : `Nothing answered on ${options.path}: it is not an Espruino, or the board is not running.`,
      'Check that this is the Espruino board (`fullstack ports` shows a guess per port), that no other ' +
        'firmware (e.g. Arduino) is on it, and replug it. A board in its bootloader (LED pulsing) needs a replug.',
    );
  }
  if (error instanceof NoAnswerError) {
    const percent = state.total ? Math.floor((state.sent / state.total) * 100) : 0;
    const where =
      state.stage === 'uploading'
        ? `after ${state.sent} of ${state.total} bytes (${percent}%)`
        : `while ${state.stage}`;
    const keeps =
      state.stage === 'verifying'
        ? 'It was switched to the new firmware just before; verify by flashing again.'
        : 'The board keeps its previous code: the new bundle was going to the unused slot and the boot record was not changed.';
    return new FlashError(
      'board-stopped',
      `The board on ${options.path} stopped answering ${where} (${error.message}). ${keeps}`,
      'Unplug and replug the board (check the cable and power), then run the flash again.',
    );
  }
  if (error instanceof Error && /Uncaught/.test(error.message)) {
    return new FlashError(
      'board-error',
      `The board reported an error: ${error.message}`,
      'Flash again; if it repeats, erase the board (`require("Storage").eraseAll()`) and flash.',
    );
  }
  return error instanceof Error ? error : new Error(String(error));
}
