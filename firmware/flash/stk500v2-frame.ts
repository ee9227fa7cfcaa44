/**
 * STK500v2 message framing (Atmel AVR068, §3 "Message format"), as the Mega 2560's bootloader
 * (stk500boot.c) parses and sends it: MESSAGE_START 0x1B, a sequence number the answer echoes,
 * the body's size (2 bytes, MSB first), TOKEN 0x0E, the body, and the XOR of every byte before.
 */

export const MESSAGE_START = 0x1b;
export const TOKEN = 0x0e;
/** The largest body avrdude sends (275 bytes); stk500boot's buffer holds 285. */
export const MAX_BODY_BYTES = 285;

export const CMD = {
  SIGN_ON: 0x01,
  LOAD_ADDRESS: 0x06,
  ENTER_PROGMODE_ISP: 0x10,
  LEAVE_PROGMODE_ISP: 0x11,
  CHIP_ERASE_ISP: 0x12,
  PROGRAM_FLASH_ISP: 0x13,
  READ_FLASH_ISP: 0x14,
  READ_SIGNATURE_ISP: 0x1b,
  SPI_MULTI: 0x1d,
} as const;

export const STATUS = {
  CMD_OK: 0x00,
  CMD_TOUT: 0x80,
  RDY_BSY_TOUT: 0x81,
  CMD_FAILED: 0xc0,
  CKSUM_ERROR: 0xc1,
  CMD_UNKNOWN: 0xc9,
} as const;

/** A status byte in the user's terms: `0xc0 (STATUS_CMD_FAILED)`. */
export function statusName(status: number): string {
  const name = Object.entries(STATUS).find(([, value]) => value === status)?.[0];
  return `0x${status.toString(16).padStart(2, '0')}${name ? ` (STATUS_${name})` : ''}`;
}

function xor(bytes: Uint8Array): number {
  let sum = 0;
  for (const byte of bytes) sum ^= byte;
  return sum;
}

export function encodeFrame(sequence: number, body: Buffer): Buffer {
  const head = Buffer.from([MESSAGE_START, sequence & 0xff, body.length >> 8, body.length & 0xff]);
  const frame = Buffer.concat([head, Buffer.from([TOKEN]), body, Buffer.alloc(1)]);
  frame[frame.length - 1] = xor(frame.subarray(0, frame.length - 1));
  return frame;
}

export interface Frame {
  sequence: number;
  body: Buffer;
}

/**
 * Reassembles frames from received bytes, however they are split. Bytes outside a frame
 * (noise, a sketch still printing as the board resets) are skipped; a frame whose token or
 * checksum is wrong is dropped and reported, and the search restarts at the next 0x1B.
 */
export class FrameReader {
  private pending = Buffer.alloc(0);

  constructor(
    private readonly onFrame: (frame: Frame) => void,
    private readonly onGarbled: (why: string) => void,
  ) {}

  push(data: Buffer): void {
    this.pending = Buffer.concat([this.pending, data]);
    for (;;) {
      const start = this.pending.indexOf(MESSAGE_START);
      if (start < 0) {
        this.pending = Buffer.alloc(0);
        return;
      }
      this.pending = this.pending.subarray(start);
      if (this.pending.length < 5) return;
      const size = (this.pending[2]! << 8) | this.pending[3]!;
      if (this.pending[4] !== TOKEN || size > MAX_BODY_BYTES) {
        this.onGarbled(`a frame with token 0x${this.pending[4]!.toString(16)} and size ${size}`);
        this.pending = this.pending.subarray(1);
        continue;
      }
      const total = 5 + size + 1;
      if (this.pending.length < total) return;
      const frame = this.pending.subarray(0, total);
      this.pending = this.pending.subarray(total);
      if (xor(frame.subarray(0, total - 1)) !== frame[total - 1]) {
        this.onGarbled(`a frame with a wrong checksum (sequence ${frame[1]})`);
        continue;
      }
      this.onFrame({ sequence: frame[1]!, body: Buffer.from(frame.subarray(5, 5 + size)) });
    }
  }
}
