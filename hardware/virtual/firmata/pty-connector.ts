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

/**
 * Link directories still in use. A process that exits without closing its boards (a failed test,
 * Ctrl-C) must not leave them in the temp dir; process exit is process-wide, hence one set.
 */
const liveDirs = new Set<string>();
let exitHookInstalled = false;
function removeOnExit(dir: string): void {
  liveDirs.add(dir);
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.once('exit', () => {
    for (const d of liveDirs) rmSync(d, { recursive: true, force: true });
  });
}

export interface PtyEnd {
  onOpen(write: (bytes: number[]) => void): void;
  onData(bytes: Buffer): void;
  onClose(): void;
}

export class PtyConnector {
  private readonly dir = mkdtempSync(join(tmpdir(), 'fullstack-pty-'));
  readonly path = join(this.dir, 'ttyFirmata');
  private pty: Pty | null = null;
  /** Whether a program has the slave open, as last reported by the relay (or implied by data). */
  private host: 'absent' | 'present' = 'absent';
  private closing: Promise<void> = Promise.resolve();

  constructor(private readonly end: PtyEnd) {
    removeOnExit(this.dir);
  }

  async plug(): Promise<void> {
    await this.closing;
    if (this.pty) return;
    const pty = await openPty();
    this.pty = pty;
    const opened = () => {
      if (this.host === 'present' || this.pty !== pty) return;
      this.host = 'present';
      this.end.onOpen((bytes) => {
        if (this.pty === pty) pty.stream.write(Buffer.from(bytes));
      });
    };
    pty.events.on('open', opened);
    pty.events.on('hangup', () => {
      if (this.host === 'absent' || this.pty !== pty) return;
      this.host = 'absent';
      this.end.onClose();
    });
    pty.stream.on('data', (data: Buffer) => {
      // Control lines (stderr) and data (stdout) are separate pipes with no order between
      // them: bytes from the host prove it has the port open even if 'open' is still queued.
      opened();
      this.end.onData(data);
    });
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
    this.host = 'absent';
    this.end.onClose();
    rmSync(this.path, { force: true });
    this.closing = pty.close();
  }

  async close(): Promise<void> {
    this.unplug();
    await this.closing;
    rmSync(this.dir, { recursive: true, force: true });
    liveDirs.delete(this.dir);
  }
}
