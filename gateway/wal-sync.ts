/**
 * The outbox's disk sync, off the event loop. The outbox connection commits with
 * `synchronous = OFF` (the commit only write()s its WAL frames), and this fdatasyncs the WAL
 * file on libuv's thread pool; a commit's callbacks run once a sync that began after it has
 * finished. That is what `synchronous = FULL` does in WAL mode (sync the WAL after each
 * commit), except that the event loop keeps parsing and validating meanwhile instead of
 * waiting about a millisecond per commit, and commits made during one sync share the next.
 * The outbox commits nothing while a sync runs (that commit could only wait for the next
 * sync anyway): `beforeSync` lets it commit what gathered meanwhile, just before that sync.
 *
 * Why a second file descriptor is enough: fsync and fdatasync flush the file (its inode), not
 * what one descriptor wrote (fsync(2)). SQLite keeps the WAL file, the same inode, for as long
 * as a connection is open: it is truncated and rewritten in place, and deleted only when the
 * last connection closes, after the outbox's own.
 */
import { closeSync, fdatasync, fdatasyncSync, openSync } from 'node:fs';

type Synced = (error: Error | undefined) => void;

export class WalSync {
  private readonly fd: number;
  /** Commits written since the running sync began: they wait for the next one. */
  private waiting: Synced[] = [];
  private syncing = false;
  private closed = false;
  private beforeSync: (() => void) | undefined;

  /** `observe`: how long each sync took, in ms (the disk's latency, for /metrics). */
  constructor(
    walPath: string,
    private readonly observe?: (ms: number) => void,
  ) {
    this.fd = openSync(walPath, 'r+');
  }

  /** A sync is running: a commit now waits for the one after it. */
  busy(): boolean {
    return this.syncing;
  }

  /** Called as each sync ends, before the next one starts (the outbox commits then). */
  onBeforeSync(fn: () => void): void {
    this.beforeSync = fn;
  }

  /** After a commit: `done` runs once everything written so far is on disk. */
  afterWrite(done: Synced): void {
    if (this.closed) throw new Error('the outbox sync is closed');
    this.waiting.push(done);
    if (!this.syncing) this.start();
  }

  /**
   * Syncs what is waiting now, on this thread (the outbox is closing: nothing may be left
   * unsynced); a sync already running still calls back. The descriptor closes after it.
   */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    const batch = this.waiting;
    this.waiting = [];
    let failure: Error | undefined;
    try {
      fdatasyncSync(this.fd);
    } catch (error) {
      failure = new Error(`cannot sync the outbox to disk: ${(error as Error).message}`);
    }
    for (const done of batch) done(failure);
    if (!this.syncing) closeSync(this.fd);
  }

  private start(): void {
    const batch = this.waiting;
    this.waiting = [];
    this.syncing = true;
    const t0 = performance.now();
    fdatasync(this.fd, (error) => {
      this.syncing = false;
      this.observe?.(performance.now() - t0);
      const failure = error
        ? new Error(`cannot sync the outbox to disk: ${error.message}`)
        : undefined;
      if (!this.closed) {
        this.beforeSync?.();
        // The disk starts on the next sync while this one's callbacks run.
        if (this.waiting.length > 0) this.start();
      }
      for (const done of batch) done(failure);
      if (this.closed && !this.syncing) closeSync(this.fd);
    });
  }
}
