/** Encoders for what the board sends (protocol.md): 14-bit values as two 7-bit bytes, sysex. */
import { END_SYSEX, START_SYSEX } from './constants.js';

/** A value split into 7-bit bytes, LSB first: the encoding of every Firmata multi-byte value. */
export function sevenBitPair(value: number): [number, number] {
  return [value & 0x7f, (value >> 7) & 0x7f];
}

/** Each 8-bit byte as two 7-bit bytes (LSB, MSB), as Firmata.sendSysex and I2C replies do. */
export function bytesAsPairs(bytes: Iterable<number>): number[] {
  const out: number[] = [];
  for (const byte of bytes) out.push(byte & 0x7f, (byte >> 7) & 0x01);
  return out;
}

export function sysex(command: number, data: number[]): number[] {
  return [START_SYSEX, command, ...data, END_SYSEX];
}

/** Packs 8-bit bytes into a 7-bit stream (Encoder7Bit in ConfigurableFirmata; onewire.md). */
export function to7BitArray(bytes: number[]): number[] {
  const out: number[] = [];
  let shift = 0;
  let previous = 0;
  for (const byte of bytes) {
    if (shift === 0) {
      out.push(byte & 0x7f);
      shift = 1;
      previous = byte >> 7;
    } else {
      out.push(((byte << shift) & 0x7f) | previous);
      if (shift === 6) {
        out.push(byte >> 1);
        shift = 0;
      } else {
        shift++;
        previous = byte >> (8 - shift);
      }
    }
  }
  if (shift > 0) out.push(previous);
  return out;
}

/** Unpacks a 7-bit stream into 8-bit bytes (the inverse of to7BitArray). */
export function from7BitArray(encoded: number[]): number[] {
  const count = (encoded.length * 7) >> 3;
  const out: number[] = [];
  for (let i = 0; i < count; i++) {
    const bit = i * 8;
    const pos = Math.floor(bit / 7);
    const shift = bit % 7;
    out.push(((encoded[pos] >> shift) | ((encoded[pos + 1] ?? 0) << (7 - shift))) & 0xff);
  }
  return out;
}
