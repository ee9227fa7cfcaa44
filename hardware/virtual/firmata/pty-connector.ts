/**
 * Keeps a virtual board on a pseudo-terminal across unplug and replug. Hosts open a stable
 * symlink (<tmp>/fullstack-pty-XXXX/ttyFirmata) that points at the current /dev/pts/N: unplug
 * closes the pty (the host's port fails) and removes the link; replug opens a new pty and points
 * the link at it, like a board that comes back as the same /dev/ttyACM0.
 */
import { mkdtempSync, renameSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openPty, type Pty } from '../pty.js';

export interface PtyEnd {
  onOpen(write: (bytes: number[]) => void): void;
  onData(bytes: Buffer): void;
  onClose(): void;
}

export class PtyConnector {
  private readonly dir = mkdtempSync(join(tmpdir(), 'fullstack-pty-'));
  readonly path = join(this.dir, 'ttyFirmata');
  private pty: Pty | null = null;
  private closing: Promise<void> = Promise.resolve();

  constructor(private readonly end: PtyEnd) {}

  async plug(): Promise<void> {
    await this.closing;
    if (this.pty) return;
    const pty = await openPty();
    this.pty = pty;
    pty.events.on('open', () =>
      this.end.onOpen((bytes) => {
        if (this.pty === pty) pty.stream.write(Buffer.from(bytes));
      }),
    );
    pty.events.on('hangup', () => this.end.onClose());
    pty.stream.on('data', (data: Buffer) => this.end.onData(data));
    // Point the stable path at the new device atomically (rename over the old link).
    const staging = `${this.path}.${process.pid}.tmp`;
    rmSync(staging, { force: true });
    symlinkSync(pty.path, staging);
    renameSync(staging, this.path);
  }

  unplug(): void {
    const pty = this.pty;
    if (!pty) return;
    this.pty = null;
    this.end.onClose();
    rmSync(this.path, { force: true });
    this.closing = pty.close();
  }

  async close(): Promise<void> {
    this.unplug();
    await this.closing;
    rmSync(this.dir, { recursive: true, force: true });
  }
}
