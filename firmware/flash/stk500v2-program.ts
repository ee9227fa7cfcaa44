/**
 * Writes an image through an STK500v2 bootloader (the Mega 2560's) and proves it is there: sign
 * on, signature compared before anything is written, programming mode, every page written from
 * address 0 up, every page read back and compared byte for byte, programming mode left (the
 * bootloader then starts the sketch). Pages go in order from 0 because stk500boot erases the
 * next page in sequence with each write, not the page being written.
 */
import type { SerialPortStream } from '@serialport/stream';
import type { Clock } from '../../lib/clock.js';
import type { FlashProgress } from './progress.js';
import { Stk500v2Client, Stk500v2Error, type Stk500v2Timeouts } from './stk500v2.js';

export type Stk500v2FailureKind =
  /** Nothing answered CMD_SIGN_ON. */
  | 'no-bootloader'
  /** Another chip's signature: nothing was written. */
  | 'wrong-chip'
  /** The bootloader answered, then stopped answering. */
  | 'stopped'
  /** The bootloader refused a command or answered nonsense. */
  | 'refused'
  /** A byte read back differs from the image. */
  | 'verify';

export class Stk500v2Failure extends Error {
  override readonly name = 'Stk500v2Failure';
  constructor(
    readonly kind: Stk500v2FailureKind,
    message: string,
  ) {
    super(message);
  }
}

export interface Stk500v2Target {
  name: string;
  chip: string;
  signature: Buffer;
  pageSize: number;
  /** More than 64 KB of flash: addresses carry AVR068's bit 31. */
  largeFlash: boolean;
}

/** Signatures a wrong board is likely to have (datasheets, "Signature Bytes"). */
const KNOWN_CHIPS: Record<string, string> = {
  '1e950f': 'ATmega328P (Uno, Nano)',
  '1e9801': 'ATmega2560 (Mega 2560)',
  '1e9703': 'ATmega1280 (Mega 1280)',
  '1e9587': 'ATmega32U4 (Leonardo, Micro)',
  '1e9406': 'ATmega168',
};

const hex = (n: number) => `0x${n.toString(16)}`;
const spaced = (bytes: Buffer) =>
  bytes
    .toString('hex')
    .toUpperCase()
    .replace(/(..)(?=.)/g, '$1 ');

export interface ProgramContext {
  clock: Clock;
  progress: FlashProgress;
  timeouts?: Stk500v2Timeouts;
}

export async function programStk500v2(
  port: SerialPortStream,
  target: Stk500v2Target,
  image: Buffer,
  ctx: ProgramContext,
): Promise<void> {
  const client = new Stk500v2Client(port, ctx.clock, ctx.timeouts);
  const run = async <T>(doing: string, action: () => Promise<T>): Promise<T> => {
    try {
      return await action();
    } catch (error) {
      throw failureWhile(doing, error);
    }
  };
  try {
    await client.signOn().catch((error: Error) => {
      throw error instanceof Stk500v2Error && error.kind === 'no-answer'
        ? new Stk500v2Failure('no-bootloader', error.message)
        : failureWhile('signing on', error);
    });
    const signature = await run('reading the signature', () => client.readSignature());
    if (!signature.equals(target.signature)) {
      const known = KNOWN_CHIPS[signature.toString('hex')];
      throw new Stk500v2Failure(
        'wrong-chip',
        `signature: not the ${target.name}'s ${target.chip} (it reads ${spaced(signature)}${known ? `, an ${known}` : ''})`,
      );
    }
    await run('entering programming mode', () => client.enterProgrammingMode());
    // The bootloader writes whole words: an odd last byte is padded as erased flash.
    const words = image.length % 2 ? Buffer.concat([image, Buffer.from([0xff])]) : image;
    for (let address = 0; address < words.length; address += target.pageSize) {
      const page = words.subarray(address, address + target.pageSize);
      await run(`writing the page at ${hex(address)}`, async () => {
        await client.loadAddress(address >> 1, target.largeFlash);
        await client.programFlash(page);
      });
      ctx.progress.chunk(Math.min(address + page.length, image.length), image.length);
    }
    for (let address = 0; address < words.length; address += target.pageSize) {
      const expected = image.subarray(address, address + target.pageSize);
      const read = await run(`reading back the page at ${hex(address)}`, async () => {
        await client.loadAddress(address >> 1, target.largeFlash);
        return client.readFlash(Math.min(target.pageSize, words.length - address));
      });
      const at = expected.findIndex((byte, i) => read[i] !== byte);
      if (at >= 0) {
        throw new Stk500v2Failure(
          'verify',
          `verify: flash at ${hex(address + at)} reads ${hex(read[at]!)}, the image has ${hex(expected[at]!)}`,
        );
      }
    }
    await run('leaving programming mode', () => client.leaveProgrammingMode());
  } finally {
    client.close();
  }
}

function failureWhile(doing: string, error: unknown): Error {
  if (!(error instanceof Stk500v2Error)) return error as Error;
  return error.kind === 'no-answer'
    ? new Stk500v2Failure('stopped', `stopped answering while ${doing} (${error.message})`)
    : new Stk500v2Failure('refused', `${doing}: ${error.message}`);
}
