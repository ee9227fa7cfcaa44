/**
 * A small STK500v2 client (Atmel AVR068) for the Arduino Mega 2560's bootloader (stk500boot.c,
 * which avrdude drives as its "wiring" programmer): one command at a time, each answer matched
 * to its sequence number and command, its status checked, within AVR068's timeouts.
 *
 * Why not the npm package stk500-v2 (1.0.4, Pinoccio/js-stk500): it has no CMD_READ_FLASH_ISP
 * and its `verify()` is an empty stub, so nothing can be read back; it checks the status byte
 * of no answer but CMD_SIGN_ON's (a STATUS_CMD_FAILED page write passes as written); a short
 * signature answer leaves zeros in the signature instead of failing; its timeouts are fixed
 * global timers (no injected clock); and it needs `async` 0.9. Its framing is right, and it
 * works with serialport 13's stream, but what this flasher needs is the part it lacks.
 */
import type { SerialPortStream } from '@serialport/stream';
import type { Clock, TimerId } from '../../lib/clock.js';
import { CMD, encodeFrame, type Frame, FrameReader, STATUS, statusName } from './stk500v2-frame.js';

export interface Stk500v2Timeouts {
  signOnMs: number;
  commandMs: number;
  /** CMD_PROGRAM_FLASH_ISP and CMD_READ_FLASH_ISP. */
  flashMs: number;
}

/** AVR068 §3: 200 ms for CMD_SIGN_ON, 5 s for reading or programming flash, 1 s for the rest. */
export const AVR068_TIMEOUTS: Readonly<Stk500v2Timeouts> = {
  signOnMs: 200,
  commandMs: 1000,
  flashMs: 5000,
};

export type Stk500v2ErrorKind =
  /** Nothing (valid) answered in time. */
  | 'no-answer'
  /** The bootloader answered with a status other than STATUS_CMD_OK. */
  | 'refused'
  /** The answer has the wrong length or shape. */
  | 'bad-answer';

export class Stk500v2Error extends Error {
  override readonly name = 'Stk500v2Error';
  constructor(
    readonly kind: Stk500v2ErrorKind,
    message: string,
  ) {
    super(message);
  }
}

interface Waiting {
  sequence: number;
  command: number;
  what: string;
  timer: TimerId;
  resolve(body: Buffer): void;
  reject(error: Error): void;
}

/**
 * ATmega2560 programming parameters, as avrdude.conf gives them for the part (flash: mode 0x41
 * paged, delay 10 ms; programming enable AC 53 00 00; load page 0x40, write page 0x4C, read 0x20).
 * stk500boot ignores most of them, but sends what avrdude sends so a real STK500 would work too.
 */
const ENTER_PROGMODE = [200, 100, 25, 32, 0, 0x53, 3, 0xac, 0x53, 0x00, 0x00];
const PROGRAM_FLASH = [0xc1, 10, 0x40, 0x4c, 0x20, 0x00, 0x00];
const READ_FLASH_LOW = 0x20;

export class Stk500v2Client {
  /** avrdude starts at 1; the bootloader echoes whatever it gets (Arduino issue 505). */
  private sequence = 1;
  private waiting: Waiting | undefined;
  /** The last frame dropped as garbled, to say why a command then timed out. */
  private garbled: string | undefined;
  private readonly reader = new FrameReader(
    (frame) => this.answer(frame),
    (why) => {
      this.garbled = why;
    },
  );
  private readonly onData = (data: Buffer) => this.reader.push(data);
  private readonly onClose = () =>
    this.fail(new Stk500v2Error('no-answer', 'the serial port closed'));

  constructor(
    private readonly port: SerialPortStream,
    private readonly clock: Clock,
    private readonly timeouts: Stk500v2Timeouts = AVR068_TIMEOUTS,
  ) {
    port.on('data', this.onData);
    port.on('close', this.onClose);
  }

  /** Stops listening to the port. */
  close(): void {
    this.port.off('data', this.onData);
    this.port.off('close', this.onClose);
    this.fail(new Stk500v2Error('no-answer', 'the client was closed'));
  }

  /** Sends one command; resolves with its answer body once its status is STATUS_CMD_OK. */
  command(body: number[], what: string, timeoutMs = this.timeouts.commandMs): Promise<Buffer> {
    if (this.waiting) throw new Error(`STK500v2: ${what} sent while ${this.waiting.what} waits`);
    const sequence = this.sequence;
    this.sequence = (this.sequence + 1) & 0xff;
    this.garbled = undefined;
    return new Promise<Buffer>((resolve, reject) => {
      const timer = this.clock.setTimeout(() => {
        const garbled = this.garbled ? `; the bootloader sent ${this.garbled}` : '';
        this.fail(
          new Stk500v2Error('no-answer', `no answer to ${what} within ${timeoutMs} ms${garbled}`),
        );
      }, timeoutMs);
      this.waiting = { sequence, command: body[0]!, what, timer, resolve, reject };
      this.port.write(encodeFrame(sequence, Buffer.from(body)), (error) => {
        if (error) this.fail(new Stk500v2Error('no-answer', `${what}: ${error.message}`));
      });
    });
  }

  /** CMD_SIGN_ON, retried: the first bytes after a reset can be lost while the board boots. */
  async signOn(attempts = 5): Promise<string> {
    for (let attempt = 1; ; attempt++) {
      try {
        const answer = await this.command([CMD.SIGN_ON], 'CMD_SIGN_ON', this.timeouts.signOnMs);
        return answer.subarray(3, 3 + (answer[2] ?? 0)).toString('latin1');
      } catch (error) {
        if (!(error instanceof Stk500v2Error) || error.kind !== 'no-answer') throw error;
        if (attempt >= attempts) {
          throw new Stk500v2Error(
            'no-answer',
            `no answer to CMD_SIGN_ON (${attempts} tries of ${this.timeouts.signOnMs} ms)${this.garbled ? `; the port sent ${this.garbled}` : ''}`,
          );
        }
      }
    }
  }

  /** The three signature bytes, by CMD_READ_SIGNATURE_ISP (as avrdude reads them). */
  async readSignature(): Promise<Buffer> {
    const signature = Buffer.alloc(3);
    for (let index = 0; index < 3; index++) {
      const what = `CMD_READ_SIGNATURE_ISP (byte ${index})`;
      const answer = await this.command([CMD.READ_SIGNATURE_ISP, 4, 0x30, 0x00, index, 0x00], what);
      if (answer.length < 3) throw badLength(what, answer, 4);
      signature[index] = answer[2]!;
    }
    return signature;
  }

  async enterProgrammingMode(): Promise<void> {
    await this.command([CMD.ENTER_PROGMODE_ISP, ...ENTER_PROGMODE], 'CMD_ENTER_PROGMODE_ISP');
  }

  /**
   * The word address for the next flash read or write (both then advance it). Bit 31 tells the
   * programmer the memory is larger than 64 KB and needs a Load Extended Address (AVR068 §5.1.5);
   * avrdude sets it for every flash access on such a part, and stk500boot shifts it out.
   */
  async loadAddress(wordAddress: number, largeFlash: boolean): Promise<void> {
    const address = (wordAddress | (largeFlash ? 0x8000_0000 : 0)) >>> 0;
    const bytes = [address >>> 24, (address >>> 16) & 0xff, (address >>> 8) & 0xff, address & 0xff];
    await this.command([CMD.LOAD_ADDRESS, ...bytes], 'CMD_LOAD_ADDRESS');
  }

  /** Writes one page at the loaded address; `data` has an even length of at most a page. */
  async programFlash(data: Buffer): Promise<void> {
    await this.command(
      [CMD.PROGRAM_FLASH_ISP, data.length >> 8, data.length & 0xff, ...PROGRAM_FLASH, ...data],
      'CMD_PROGRAM_FLASH_ISP',
      this.timeouts.flashMs,
    );
  }

  /** Reads `length` bytes (even) from the loaded address. */
  async readFlash(length: number): Promise<Buffer> {
    const what = 'CMD_READ_FLASH_ISP';
    const answer = await this.command(
      [CMD.READ_FLASH_ISP, length >> 8, length & 0xff, READ_FLASH_LOW],
      what,
      this.timeouts.flashMs,
    );
    if (answer.length !== length + 3) throw badLength(what, answer, length + 3);
    if (answer[length + 2] !== STATUS.CMD_OK) {
      throw new Stk500v2Error('refused', `${what}: ended with ${statusName(answer[length + 2]!)}`);
    }
    return answer.subarray(2, 2 + length);
  }

  async leaveProgrammingMode(): Promise<void> {
    await this.command([CMD.LEAVE_PROGMODE_ISP, 1, 1], 'CMD_LEAVE_PROGMODE_ISP');
  }

  private answer(frame: Frame): void {
    const waiting = this.waiting;
    // A late answer to an earlier try (another sequence number) is not this command's, nor is
    // a body without a status: that is a port echoing the one-byte CMD_SIGN_ON back.
    if (
      !waiting ||
      frame.sequence !== waiting.sequence ||
      frame.body[0] !== waiting.command ||
      frame.body.length < 2
    ) {
      return;
    }
    this.settle();
    const status = frame.body[1]!;
    if (status !== STATUS.CMD_OK) {
      waiting.reject(
        new Stk500v2Error(
          'refused',
          `${waiting.what}: the bootloader answered ${statusName(status)}`,
        ),
      );
    } else {
      waiting.resolve(frame.body);
    }
  }

  private settle(): void {
    if (this.waiting) this.clock.clearTimeout(this.waiting.timer);
    this.waiting = undefined;
  }

  private fail(error: Error): void {
    const waiting = this.waiting;
    this.settle();
    waiting?.reject(error);
  }
}

function badLength(what: string, answer: Buffer, expected: number): Stk500v2Error {
  return new Stk500v2Error(
    'bad-answer',
    `${what}: an answer of ${answer.length} bytes, expected ${expected}`,
  );
}
