/**
 * A/B slots in a directory, for Node devices (a Pi): `slot-a.cjs`, `slot-b.cjs` and `boot.json`.
 * Writes go to a temporary file renamed into place, so a power cut leaves the old file or the
 * new one, never half of it.
 */
import {
  closeSync,
  existsSync,
  mkdirSync,
  openSync,
  readFileSync,
  renameSync,
  writeFileSync,
  writeSync,
} from 'node:fs';
import { join } from 'node:path';
import type { Slot } from '../flash/layout.js';
import type { OtaBootRecord, SlotStore } from './slots.js';

export class FileSlotStore implements SlotStore<Buffer> {
  constructor(readonly dir: string) {
    mkdirSync(dir, { recursive: true });
  }

  slotPath(slot: Slot): string {
    return join(this.dir, `slot-${slot}.cjs`);
  }

  get recordPath(): string {
    return join(this.dir, 'boot.json');
  }

  readRecord(): OtaBootRecord | null {
    if (!existsSync(this.recordPath)) return null;
    return JSON.parse(readFileSync(this.recordPath, 'utf8')) as OtaBootRecord;
  }

  writeRecord(record: OtaBootRecord): void {
    const temp = `${this.recordPath}.tmp`;
    writeFileSync(temp, `${JSON.stringify(record, null, 2)}\n`);
    renameSync(temp, this.recordPath);
  }

  beginSlot(slot: Slot, _size: number): void {
    writeFileSync(this.slotPath(slot), '');
  }

  writeSlot(slot: Slot, offset: number, bytes: Buffer): void {
    const fd = openSync(this.slotPath(slot), 'r+');
    try {
      writeSync(fd, bytes, 0, bytes.length, offset);
    } finally {
      closeSync(fd);
    }
  }

  readSlot(slot: Slot): Buffer | null {
    const path = this.slotPath(slot);
    return existsSync(path) ? readFileSync(path) : null;
  }

  /** First install: put `code` in slot a and boot it (no trial: nothing to go back to). */
  install(code: Buffer, fw: string): void {
    writeFileSync(this.slotPath('a'), code);
    this.writeRecord({ slot: 'a', fw, size: code.length });
  }
}
