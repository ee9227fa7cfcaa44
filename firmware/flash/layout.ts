/**
 * Where FullStack keeps firmware in an Espruino's Storage: two slots (A/B), a small JSON
 * record saying which slot boots and what it holds, and a one-line `.bootcde` loader that runs
 * the chosen slot at power-up. A new bundle is always written to the slot that is not booting,
 * checked there, and only then made active by rewriting the small record: a board that dies
 * mid-upload still boots its previous code. OTA uses the same layout to roll back.
 */

export type Slot = 'a' | 'b';

export const SLOT_FILES: Readonly<Record<Slot, string>> = { a: '.fsa', b: '.fsb' };
export const BOOT_INFO_FILE = '.fsboot';
/** The file Espruino runs at power-up. */
export const BOOT_CODE_FILE = '.bootcde';

/** The record in BOOT_INFO_FILE. */
export interface BootInfo {
  slot: Slot;
  /** The firmware version the bundle reports (its birth `fw`). */
  fw: string;
  size: number;
  /** CRC-32 (IEEE, as Espruino's E.CRC32) of the slot's bytes. */
  crc: number;
  /** The slot that booted before this one, kept for rollback. */
  previous?: Slot;
}

/**
 * Runs the active slot. Top-level `eval` so the bundle's declarations are global, exactly as
 * if it were `.bootcde` itself; written in the subset Espruino runs.
 */
export const LOADER =
  'eval(require("Storage").read((require("Storage").readJSON(".fsboot",1)||{slot:"a"}).slot=="b"?".fsb":".fsa"));';

export function otherSlot(slot: Slot | undefined): Slot {
  return slot === 'a' ? 'b' : 'a';
}

/** Room needed on the board for a bundle besides what it already has. */
export function bytesNeeded(bundleBytes: number): number {
  return bundleBytes + LOADER.length + 256;
}
