/**
 * The Espruino `Storage` module's flash file system, in memory: files written whole or in
 * chunks (`write(name, data, offset, size)`), unwritten bytes read back as 0xFF as on erased
 * flash, a fixed capacity per board. Data is bytes; reads return a binary string (one char per
 * byte), as on the board.
 */

/** Espruino's limit on a Storage file name (2v05 and later). */
const MAX_NAME_LENGTH = 28;

export class VirtualStorage {
  private readonly files = new Map<string, Buffer>();

  constructor(readonly capacityBytes: number) {}

  /** Bytes in use (no per-file header overhead: this is a model, not the flash layout). */
  used(): number {
    let total = 0;
    for (const data of this.files.values()) total += data.length;
    return total;
  }

  getFree(): number {
    return this.capacityBytes - this.used();
  }

  list(): string[] {
    return [...this.files.keys()].sort();
  }

  /** The file's bytes, or undefined. For tests and the board's boot. */
  readBytes(name: string): Buffer | undefined {
    return this.files.get(name);
  }

  read(name: string): string | undefined {
    return this.files.get(name)?.toString('latin1');
  }

  readJSON(name: string): unknown {
    const text = this.read(name);
    return text === undefined ? undefined : JSON.parse(text);
  }

  /**
   * As on Espruino: offset 0 or undefined creates the file (`size` bytes long, default the data
   * length); another offset writes inside an existing file.
   */
  write(name: string, data: unknown, offset?: number, size?: number): boolean {
    checkName(name);
    const bytes = toBytes(data);
    if (offset === undefined || offset === 0) {
      const length = Math.max(size ?? bytes.length, bytes.length);
      const previous = this.files.get(name)?.length ?? 0;
      if (length - previous > this.getFree()) {
        throw new Error(`Not enough free space in Storage for "${name}" (${length} bytes)`);
      }
      const file = Buffer.alloc(length, 0xff);
      bytes.copy(file, 0);
      this.files.set(name, file);
      return true;
    }
    const file = this.files.get(name);
    if (!file || offset + bytes.length > file.length) return false;
    bytes.copy(file, offset);
    return true;
  }

  writeJSON(name: string, value: unknown): boolean {
    return this.write(name, JSON.stringify(value));
  }

  erase(name: string): void {
    this.files.delete(name);
  }

  eraseAll(): void {
    this.files.clear();
  }
}

function checkName(name: string): void {
  if (typeof name !== 'string' || name.length === 0 || name.length > MAX_NAME_LENGTH) {
    throw new Error(`Storage file name must be 1 to ${MAX_NAME_LENGTH} characters, got "${name}"`);
  }
}

function toBytes(data: unknown): Buffer {
  if (typeof data === 'string') return Buffer.from(data, 'latin1');
  if (Array.isArray(data) || ArrayBuffer.isView(data)) {
    return Buffer.from(Array.from(data as ArrayLike<number>, (b) => b & 0xff));
  }
  return Buffer.from(JSON.stringify(data), 'latin1');
}
