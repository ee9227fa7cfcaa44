/**
 * A virtual Arduino Mega 2560 bootloader: the device side of STK500v2 (Atmel AVR068) as
 * stk500boot.c (Arduino's bootloaders/stk500v2) implements it, behind a serial port. It parses
 * messages with the bootloader's state machine (a wrong token or checksum drops the message
 * silently), echoes the sequence number, and answers the commands the bootloader knows, with
 * its quirks: CMD_CHIP_ERASE_ISP answers STATUS_CMD_FAILED (Arduino issue 543); each
 * CMD_PROGRAM_FLASH_ISP erases the *next page in sequence* from 0 (below APP_END) and then
 * writes the page buffer to the page holding the loaded address; flash reads and writes advance
 * the address; CMD_LEAVE_PROGMODE_ISP answers and starts the application (input is then no
 * longer the bootloader's). Opening the port resets the board into the bootloader, as DTR does
 * through a real Mega's auto-reset capacitor.
 *
 * Flash cells behave as NOR flash: a write can only clear bits, so a page written without its
 * erase holds old AND new. Faults for tests: another signature, a worn byte that reads back
 * inverted, and a board that stops answering after n messages.
 */
import type { SerialDevice } from '../espruino/mock-port.js';

const MESSAGE_START = 0x1b;
const TOKEN = 0x0e;
const OK = 0x00;
const FAILED = 0xc0;
/** stk500boot's msgBuffer. */
const BUFFER_BYTES = 285;

const CMD = {
  SIGN_ON: 0x01,
  SET_PARAMETER: 0x02,
  GET_PARAMETER: 0x03,
  LOAD_ADDRESS: 0x06,
  ENTER_PROGMODE_ISP: 0x10,
  LEAVE_PROGMODE_ISP: 0x11,
  CHIP_ERASE_ISP: 0x12,
  PROGRAM_FLASH_ISP: 0x13,
  READ_FLASH_ISP: 0x14,
  READ_SIGNATURE_ISP: 0x1b,
  SPI_MULTI: 0x1d,
} as const;

export interface VirtualStk500v2Options {
  /** Default the ATmega2560's, 1E 98 01. */
  signature?: Buffer;
  /** Default 256 KB. */
  flashBytes?: number;
  /** SPM_PAGESIZE; default 256. */
  pageBytes?: number;
  /** stk500boot's APP_END (FLASHEND - 2 * BOOTSIZE + 1): pages from here are never erased. */
  appEnd?: number;
  /** A worn cell: the byte at this flash address reads back inverted once written. */
  wornByteAt?: number;
}

export type BootloaderState = 'bootloader' | 'application';

interface Parse {
  step: 'start' | 'sequence' | 'size1' | 'size2' | 'token' | 'data' | 'check';
  sequence: number;
  size: number;
  body: number[];
  /** XOR of the bytes so far. */
  sum: number;
}

const freshParse = (): Parse => ({ step: 'start', sequence: 0, size: 0, body: [], sum: 0 });

export class VirtualStk500v2Bootloader implements SerialDevice {
  readonly flash: Buffer;
  /** Command ids received, in order, from the last reset on. */
  readonly commands: number[] = [];
  state: BootloaderState = 'bootloader';
  /** Times the board was reset (each port open). */
  resets = 0;
  private readonly signature: Buffer;
  private readonly pageBytes: number;
  private readonly appEnd: number;
  private readonly wornByteAt: number | undefined;
  private readonly listeners = new Set<(data: Buffer) => void>();
  private parse: Parse = freshParse();
  private address = 0;
  private eraseAddress = 0;
  private answersLeft = Number.POSITIVE_INFINITY;

  constructor(options: VirtualStk500v2Options = {}) {
    this.signature = options.signature ?? Buffer.from([0x1e, 0x98, 0x01]);
    this.flash = Buffer.alloc(options.flashBytes ?? 256 * 1024, 0xff);
    this.pageBytes = options.pageBytes ?? 256;
    this.appEnd = options.appEnd ?? 0x3c000;
    this.wornByteAt = options.wornByteAt;
  }

  /** Answers `n` more messages, then nothing (a hung board, a cable pulled mid-upload). */
  stopAnsweringAfter(n: number): void {
    this.answersLeft = n;
  }

  onOutput(listener: (data: Buffer) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Opening the port pulses DTR: the board resets into its bootloader. */
  portOpened(): void {
    this.resets++;
    this.state = 'bootloader';
    this.parse = freshParse();
    this.address = 0;
    this.eraseAddress = 0;
    this.commands.length = 0;
  }

  receive(data: Buffer): void {
    for (const byte of data) {
      if (this.state !== 'bootloader') return;
      this.take(byte);
    }
  }

  /** stk500boot's receive state machine, one byte at a time. */
  private take(byte: number): void {
    const p = this.parse;
    switch (p.step) {
      case 'start':
        if (byte === MESSAGE_START) Object.assign(p, { step: 'sequence', sum: byte, body: [] });
        return;
      case 'sequence':
        Object.assign(p, { step: 'size1', sequence: byte, sum: p.sum ^ byte });
        return;
      case 'size1':
        Object.assign(p, { step: 'size2', size: byte << 8, sum: p.sum ^ byte });
        return;
      case 'size2':
        Object.assign(p, { step: 'token', size: p.size | byte, sum: p.sum ^ byte });
        return;
      case 'token':
        if (byte !== TOKEN || p.size === 0 || p.size > BUFFER_BYTES) p.step = 'start';
        else Object.assign(p, { step: 'data', sum: p.sum ^ byte });
        return;
      case 'data':
        p.body.push(byte);
        p.sum ^= byte;
        if (p.body.length === p.size) p.step = 'check';
        return;
      case 'check':
        p.step = 'start';
        if (byte === p.sum) this.process(p.sequence, Buffer.from(p.body));
    }
  }

  private process(sequence: number, body: Buffer): void {
    this.commands.push(body[0]!);
    const answer = this.answerTo(body);
    if (this.answersLeft <= 0) return;
    this.answersLeft--;
    this.send(sequence, answer);
    if (body[0] === CMD.LEAVE_PROGMODE_ISP) this.state = 'application';
  }

  private answerTo(body: Buffer): number[] {
    const command = body[0]!;
    switch (command) {
      case CMD.SIGN_ON:
        return [command, OK, 8, ...Buffer.from('AVRISP_2')];
      case CMD.SET_PARAMETER:
      case CMD.ENTER_PROGMODE_ISP:
      case CMD.LEAVE_PROGMODE_ISP:
        return [command, OK];
      case CMD.GET_PARAMETER:
        return [command, OK, 0];
      case CMD.READ_SIGNATURE_ISP:
        return [command, OK, this.signatureByte(body[4]!), OK];
      case CMD.SPI_MULTI: {
        const answer = body[4] === 0x30 ? this.signatureByte(body[6]!) : 0;
        return [command, OK, 0, body[4]!, 0, answer, OK];
      }
      case CMD.LOAD_ADDRESS:
        // A 32-bit word address shifted into a byte address: bit 31 falls off.
        this.address = (body.readUInt32BE(1) << 1) >>> 0;
        return [command, OK];
      case CMD.PROGRAM_FLASH_ISP:
        this.programPage(body.readUInt16BE(1), body.subarray(10));
        return [command, OK];
      case CMD.READ_FLASH_ISP:
        return [command, OK, ...this.readFlash(body.readUInt16BE(1)), OK];
      default:
        // CMD_CHIP_ERASE_ISP included: "returns STATUS_CMD_FAILED instead of STATUS_CMD_OK".
        return [command, FAILED];
    }
  }

  private signatureByte(index: number): number {
    return this.signature[Math.min(index, 2)]!;
  }

  private programPage(size: number, data: Buffer): void {
    if (this.eraseAddress < this.appEnd) {
      this.flash.fill(0xff, this.eraseAddress, this.eraseAddress + this.pageBytes);
      this.eraseAddress += this.pageBytes;
    }
    const pageBuffer = Buffer.alloc(this.pageBytes, 0xff);
    const start = this.address;
    for (let i = 0; i < size; i += 2) {
      const at = (this.address % this.pageBytes) & ~1;
      pageBuffer[at] = data[i]!;
      pageBuffer[at + 1] = data[i + 1]!;
      this.address += 2;
    }
    const page = start - (start % this.pageBytes);
    for (let i = 0; i < this.pageBytes; i++) {
      let byte = pageBuffer[i]!;
      if (page + i === this.wornByteAt) byte ^= 0xff;
      this.flash[page + i] = this.flash[page + i]! & byte;
    }
  }

  private readFlash(size: number): Buffer {
    const out = Buffer.alloc(size);
    for (let i = 0; i < size; i++) out[i] = this.flash[(this.address + i) % this.flash.length]!;
    this.address += size;
    return out;
  }

  private send(sequence: number, body: number[]): void {
    const frame = [MESSAGE_START, sequence, body.length >> 8, body.length & 0xff, TOKEN, ...body];
    let sum = 0;
    for (const byte of frame) sum ^= byte;
    const out = Buffer.from([...frame, sum]);
    setImmediate(() => {
      for (const listener of this.listeners) listener(out);
    });
  }
}
