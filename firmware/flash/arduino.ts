/**
 * Writes StandardFirmata to an Arduino through its serial bootloader, so that the gateway can
 * drive the board over Firmata: STK500v1 for the Uno and Nano (as avrdude does, with the
 * `stk500` package), STK500v2 for the Mega 2560 (./stk500v2.ts, as avrdude's "wiring"
 * programmer does). The images are the StandardFirmata builds shipped in avrgirl-arduino 5.0.1
 * (origin, licence and checksums in docs/flashing.md and images/README.md).
 * stk500's own `bootload` reads the signature and the pages back but never compares them (it
 * passes no expected data), so the steps are run one by one here and both are compared.
 */
import { readFile } from 'node:fs/promises';
import { SerialPortStream } from '@serialport/stream';
import { parse as parseHex } from 'intel-hex';
import Stk500 from 'stk500';
import sendCommand from 'stk500/lib/sendCommand.js';
import type { Clock } from '../../lib/clock.js';
import { repoPath } from '../../lib/paths.js';
import { FlashError, portOpenError } from './errors.js';
import type { FlashProgress } from './progress.js';
import { AVR068_TIMEOUTS, type Stk500v2Timeouts } from './stk500v2.js';
import { programStk500v2, Stk500v2Failure } from './stk500v2-program.js';
import type { SerialBinding } from './uploader.js';

export interface ArduinoBoard {
  name: string;
  /** The microcontroller, as its signature names it. */
  chip: string;
  protocol: 'stk500v1' | 'stk500v2';
  /** The bootloader's baud rate. */
  baud: number;
  /** The chip's signature bytes (datasheet, "Signature Bytes"). */
  signature: Buffer;
  pageSize: number;
  image: string;
  /** Application flash: the chip's flash less the bootloader. */
  maxBytes: number;
  /** More than 64 KB of flash (STK500v2 addresses then carry bit 31). */
  largeFlash: boolean;
}

/** ATmega328P datasheet §27.3, "Signature Bytes": 1E 95 0F. */
const ATMEGA328P = Buffer.from([0x1e, 0x95, 0x0f]);
/** ATmega2560 (datasheet, "Signature Bytes"; stk500boot.c's SIGNATURE_BYTES 0x1E9801): 1E 98 01. */
const ATMEGA2560 = Buffer.from([0x1e, 0x98, 0x01]);

const ATMEGA328P_BOARD = {
  chip: 'ATmega328P',
  protocol: 'stk500v1',
  signature: ATMEGA328P,
  pageSize: 128,
  largeFlash: false,
} as const;

/** Boards with an STK500v1 bootloader (optiboot on the Uno and new Nanos) or STK500v2 (Mega). */
export const ARDUINO_BOARDS: Readonly<Record<string, ArduinoBoard>> = {
  uno: {
    ...ATMEGA328P_BOARD,
    name: 'Arduino Uno',
    baud: 115_200,
    image: 'StandardFirmata.uno.hex',
    maxBytes: 32_256,
  },
  nano: {
    ...ATMEGA328P_BOARD,
    name: 'Arduino Nano (new bootloader)',
    baud: 115_200,
    image: 'StandardFirmata.nano.hex',
    maxBytes: 32_256,
  },
  'nano-old': {
    ...ATMEGA328P_BOARD,
    name: 'Arduino Nano (old bootloader)',
    baud: 57_600,
    image: 'StandardFirmata.nano.hex',
    maxBytes: 30_720,
  },
  mega: {
    name: 'Arduino Mega 2560',
    chip: 'ATmega2560',
    protocol: 'stk500v2',
    // stk500boot's BAUDRATE; AVR068 programmers speak only 115200.
    baud: 115_200,
    signature: ATMEGA2560,
    // SPM_PAGESIZE of the ATmega2560: 128 words.
    pageSize: 256,
    image: 'StandardFirmata.mega.hex',
    // The Arduino core allows 253952 (256 KB less the 8 KB boot section), but stk500boot erases
    // pages only below its APP_END, 0x3C000: past it a page would be written without an erase.
    maxBytes: 245_760,
    largeFlash: true,
  },
};

const BOARD_NAMES = Object.keys(ARDUINO_BOARDS).join(', ');

export function arduinoBoard(name: string): ArduinoBoard {
  const board = ARDUINO_BOARDS[name];
  if (!board) {
    throw new FlashError(
      'board-error',
      `--board "${name}" is not a board FullStack can flash.`,
      `Allowed: ${BOARD_NAMES}.`,
    );
  }
  return board;
}

/** The image's bytes, checked to fit the board. */
export async function loadFirmataImage(board: ArduinoBoard): Promise<Buffer> {
  const text = await readFile(repoPath('firmware', 'flash', 'images', board.image), 'utf8');
  const { data } = parseHex(text);
  if (data.length > board.maxBytes) {
    throw new Error(
      `${board.image} is ${data.length} bytes, more than the ${board.maxBytes} of ${board.name}`,
    );
  }
  return data;
}

export interface ArduinoFlashContext {
  binding: SerialBinding;
  clock: Clock;
  progress: FlashProgress;
}

function sleep(clock: Clock, ms: number): Promise<void> {
  return new Promise((resolve) => clock.setTimeout(resolve, ms));
}

/**
 * Pulses DTR/RTS, which resets the ATmega through its auto-reset capacitor into the bootloader.
 * A port without modem lines (a pseudo-terminal, some Bluetooth and RS-485 adapters) refuses
 * the ioctl; as avrdude does, the flash goes on without a reset (the reset button still works).
 */
async function resetIntoBootloader(
  port: SerialPortStream,
  clock: Clock,
  progress: FlashProgress,
): Promise<void> {
  const set = (on: boolean) =>
    new Promise<void>((resolve, reject) =>
      port.set({ dtr: on, rts: on }, (e) => (e ? reject(e) : resolve())),
    );
  try {
    await set(false);
  } catch (error) {
    const text = (error as Error).message;
    if (!/Inappropriate ioctl|ENOTTY|EINVAL|Invalid argument/i.test(text)) throw error;
    progress.step(
      'connecting',
      `this port has no DTR/RTS lines (${text}): no automatic reset; press the board's reset button if no bootloader answers`,
    );
    return;
  }
  await sleep(clock, 250);
  await set(true);
  await sleep(clock, 50);
}

const STK = {
  READ_SIGN: 0x75,
  READ_PAGE: 0x74,
  INSYNC: 0x14,
  OK: 0x10,
  FLASH: 0x46,
  TIMEOUT_MS: 400,
};

function step(run: (done: (error?: Error | null) => void) => void): Promise<void> {
  return new Promise((resolve, reject) => run((error) => (error ? reject(error) : resolve())));
}

/** Sends a command and requires exactly `expected` back (INSYNC … OK). */
function expect(
  port: SerialPortStream,
  cmd: number[],
  expected: Buffer,
  what: string,
): Promise<void> {
  return step((done) =>
    sendCommand(port, { cmd, responseData: expected, timeout: STK.TIMEOUT_MS }, (error) =>
      done(error ? new Error(`${what} (${error.message})`) : null),
    ),
  );
}

const framed = (bytes: Buffer) =>
  Buffer.concat([Buffer.from([STK.INSYNC]), bytes, Buffer.from([STK.OK])]);

/** sync, signature, device parameters, program mode, write, compare, leave program mode. */
async function program(port: SerialPortStream, board: ArduinoBoard, image: Buffer): Promise<void> {
  const stk = new Stk500({ quiet: true });
  const t = STK.TIMEOUT_MS;
  // Three syncs, as avrdude sends them: the first bytes after a reset may be lost.
  for (let i = 0; i < 3; i++) await step((done) => stk.sync(port, 3, t, done));
  await expect(
    port,
    [STK.READ_SIGN],
    framed(board.signature),
    `signature: not the ${board.name}'s ${board.chip}`,
  );
  await step((done) =>
    stk.setOptions(
      port,
      { pagesizehigh: (board.pageSize >> 8) & 0xff, pagesizelow: board.pageSize & 0xff },
      t,
      done,
    ),
  );
  await step((done) => stk.enterProgrammingMode(port, t, done));
  await step((done) => stk.upload(port, image, board.pageSize, t, done));
  for (let address = 0; address < image.length; address += board.pageSize) {
    const page = image.subarray(address, address + board.pageSize);
    await step((done) => stk.loadAddress(port, address >> 1, t, done));
    await expect(
      port,
      [STK.READ_PAGE, (page.length >> 8) & 0xff, page.length & 0xff, STK.FLASH],
      framed(page),
      `verify: flash at 0x${address.toString(16)} differs from the image`,
    );
  }
  await step((done) => stk.exitProgrammingMode(port, t, done));
}

export interface ArduinoFlashOptions {
  path: string;
  board: string;
  /** STK500v2 answer timeouts; default AVR068's. */
  timeouts?: Partial<Stk500v2Timeouts>;
}

export async function flashFirmata(
  ctx: ArduinoFlashContext,
  options: ArduinoFlashOptions,
): Promise<{ board: string; bytes: number }> {
  const board = arduinoBoard(options.board);
  const image = await loadFirmataImage(board);
  ctx.progress.step('opening', `opening ${options.path} at ${board.baud} baud`);
  const port = new SerialPortStream({
    binding: ctx.binding,
    path: options.path,
    baudRate: board.baud,
    autoOpen: false,
  });
  await new Promise<void>((resolve, reject) =>
    port.open((e) => (e ? reject(portOpenError(options.path, e)) : resolve())),
  );
  try {
    ctx.progress.step('connecting', `resetting ${board.name} into its bootloader`);
    await resetIntoBootloader(port, ctx.clock, ctx.progress);
    ctx.progress.step('uploading', `writing StandardFirmata (${image.length} bytes)`);
    if (board.protocol === 'stk500v2') {
      const timeouts = { ...AVR068_TIMEOUTS, ...options.timeouts };
      await programStk500v2(port, board, image, { ...ctx, timeouts });
    } else {
      await program(port, board, image);
    }
    ctx.progress.step('verifying', 'StandardFirmata read back and compared');
  } catch (error) {
    if (error instanceof FlashError) throw error;
    throw flashFailure(error as Error, options.path, board);
  } finally {
    if (port.isOpen) await new Promise((resolve) => port.close(resolve));
  }
  ctx.progress.step('done', `StandardFirmata written to ${board.name} and verified`);
  return { board: board.name, bytes: image.length };
}

/** A programming error in the user's terms: what happened on which port, and what to do. */
function flashFailure(error: Error, path: string, board: ArduinoBoard): FlashError {
  const text = error.message;
  const kind = error instanceof Stk500v2Failure ? error.kind : undefined;
  if (kind === 'wrong-chip' || kind === 'verify' || /^(verify|signature):/.test(text)) {
    return new FlashError(
      'verify-failed',
      `StandardFirmata was not written as expected on ${path}: ${text}.`,
      `Check --board (${BOARD_NAMES}) and flash again; if it persists the chip may be worn.`,
    );
  }
  // stk500 reports a bootloader that never answers as a receiveData timeout on the sync.
  if (kind === 'no-bootloader' || (kind === undefined && /timeout/i.test(text))) {
    const oldNano =
      board.protocol === 'stk500v1'
        ? ', and try --board nano-old for Nanos with the old bootloader'
        : '';
    return new FlashError(
      'no-bootloader',
      `No Arduino bootloader answered on ${path} (${text}).`,
      `Check that this port is the ${board.name} (\`fullstack ports\`), that nothing else has it open${oldNano}. ` +
        'Press the reset button just before flashing if auto-reset is broken.',
    );
  }
  const what =
    kind === 'stopped'
      ? `The ${board.name} on ${path} ${text}.`
      : `Flashing ${board.name} on ${path} failed: ${text}.`;
  return new FlashError(
    'board-stopped',
    what,
    'The board has no working sketch until a flash completes: run the flash again (it is safe to retry).',
  );
}
