/**
 * Splits the byte stream a Firmata host sends into messages, as StandardFirmata's
 * Firmata.processInput() does: MIDI-style commands with a fixed number of data bytes, and sysex
 * frames between START_SYSEX and END_SYSEX. A status byte (bit 7 set) in the middle of a
 * message drops the incomplete message, which is how a real board resynchronises.
 */
import {
  ANALOG_MESSAGE,
  DIGITAL_MESSAGE,
  END_SYSEX,
  REPORT_ANALOG,
  REPORT_DIGITAL,
  REPORT_VERSION,
  SET_DIGITAL_PIN_VALUE,
  SET_PIN_MODE,
  START_SYSEX,
  SYSTEM_RESET,
} from './constants.js';

export type FirmataMessage =
  | { type: 'midi'; command: number; channel: number; data: number[] }
  | { type: 'sysex'; command: number; data: number[] };

/** Data bytes that follow each status byte (channel commands keyed by their high nibble). */
function dataLength(status: number): number | undefined {
  switch (status < 0xf0 ? status & 0xf0 : status) {
    case DIGITAL_MESSAGE:
    case ANALOG_MESSAGE:
    case SET_PIN_MODE:
    case SET_DIGITAL_PIN_VALUE:
      return 2;
    case REPORT_ANALOG:
    case REPORT_DIGITAL:
      return 1;
    case REPORT_VERSION:
    case SYSTEM_RESET:
      return 0;
    default:
      return undefined;
  }
}

/** StandardFirmata's MAX_DATA_BYTES is 64; longer sysex frames are dropped, as there. */
const MAX_SYSEX_BYTES = 1024;

export class FirmataParser {
  private status: number | null = null;
  private expected = 0;
  private data: number[] = [];
  private inSysex = false;
  /** Frames dropped as malformed (for tests and diagnostics). */
  dropped = 0;

  constructor(private readonly onMessage: (message: FirmataMessage) => void) {}

  push(bytes: Uint8Array): void {
    for (const byte of bytes) this.pushByte(byte);
  }

  private pushByte(byte: number): void {
    if (this.inSysex) {
      if (byte === END_SYSEX) {
        this.inSysex = false;
        const [command, ...data] = this.data;
        this.data = [];
        if (command !== undefined) this.onMessage({ type: 'sysex', command, data });
        return;
      }
      if (byte & 0x80 || this.data.length >= MAX_SYSEX_BYTES) {
        this.inSysex = false;
        this.data = [];
        this.dropped++;
        if (byte & 0x80) this.pushByte(byte);
        return;
      }
      this.data.push(byte);
      return;
    }
    if (byte & 0x80) {
      if (this.status !== null) this.dropped++;
      this.status = null;
      this.data = [];
      if (byte === START_SYSEX) {
        this.inSysex = true;
        return;
      }
      const length = dataLength(byte);
      if (length === undefined) {
        this.dropped++;
        return;
      }
      this.status = byte;
      this.expected = length;
      if (length === 0) this.complete();
      return;
    }
    if (this.status === null) return; // stray data byte: ignored, as the firmware does
    this.data.push(byte);
    if (this.data.length === this.expected) this.complete();
  }

  private complete(): void {
    const status = this.status as number;
    const channelCommand = status < 0xf0;
    this.onMessage({
      type: 'midi',
      command: channelCommand ? status & 0xf0 : status,
      channel: channelCommand ? status & 0x0f : 0,
      data: this.data,
    });
    this.status = null;
    this.data = [];
  }
}
