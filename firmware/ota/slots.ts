/**
 * A/B firmware slots as the OTA receiver and the boot guard see them: a record of which slot
 * boots (and which one to go back to), and two slots of bytes. On Espruino the layout is the
 * flasher's (firmware/flash/layout.ts: `.fsa`, `.fsb`, `.fsboot` in Storage); on a Pi it is a
 * directory (file-slots.ts).
 */
import type { Slot } from '../flash/layout.js';

export interface OtaBootRecord {
  slot: Slot;
  fw: string;
  size: number;
  sha256?: string;
  /** CRC-32 as written by the serial flasher. */
  crc?: number;
  /** The slot and firmware to go back to if this one fails its trial. */
  previous?: Slot;
  previousFw?: string;
  previousSize?: number;
  /** Present while the firmware in `slot` has not yet proved itself with a birth. */
  trial?: { since: number; trialMs: number };
  /** Set when the guard went back to this slot, and why. */
  rolledBack?: { fw: string; reason: string; at: number };
}

export interface SlotStore<Bytes> {
  readRecord(): OtaBootRecord | null;
  writeRecord(record: OtaBootRecord): void;
  /** Empties `slot` and makes room for `size` bytes. */
  beginSlot(slot: Slot, size: number): void;
  writeSlot(slot: Slot, offset: number, bytes: Bytes): void;
  readSlot(slot: Slot): Bytes | null;
}
