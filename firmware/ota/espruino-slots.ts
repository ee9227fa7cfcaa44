/**
 * The A/B slots in an Espruino's Storage, in the flasher's layout (firmware/flash/layout.ts):
 * `.fsa`, `.fsb` and the `.fsboot` record the loader reads at power-up. Bytes are binary
 * strings, as Storage returns them. Espruino-safe subset.
 */
import { BOOT_INFO_FILE, SLOT_FILES, type Slot } from '../flash/layout.js';
import type { OtaBootRecord, SlotStore } from './slots.js';

/** The part of `require("Storage")` this uses. */
export interface EspruinoStorage {
  read(name: string): string | undefined;
  readJSON(name: string, noExceptions?: boolean): unknown;
  write(name: string, data: string, offset?: number, size?: number): boolean;
  writeJSON(name: string, value: unknown): boolean;
  erase(name: string): void;
}

export function storageSlotStore(storage: EspruinoStorage): SlotStore<string> {
  const sizes: Record<string, number> = {};
  return {
    readRecord: () => {
      const record = storage.readJSON(BOOT_INFO_FILE, true);
      return record === undefined || record === null ? null : (record as OtaBootRecord);
    },
    writeRecord: (record) => {
      storage.writeJSON(BOOT_INFO_FILE, record);
    },
    beginSlot: (slot, size) => {
      storage.erase(SLOT_FILES[slot]);
      sizes[slot] = size;
    },
    // The first chunk creates the file at its full size (Storage cannot grow a file).
    writeSlot: (slot: Slot, offset: number, bytes: string) => {
      const ok =
        offset === 0
          ? storage.write(SLOT_FILES[slot], bytes, 0, sizes[slot])
          : storage.write(SLOT_FILES[slot], bytes, offset);
      if (!ok)
        throw new Error(
          `Storage refused ${bytes.length} bytes at ${offset} of ${SLOT_FILES[slot]}`,
        );
    },
    readSlot: (slot) => {
      const data = storage.read(SLOT_FILES[slot]);
      return data === undefined ? null : data;
    },
  };
}
