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
 * `minIntervalMs` spaces syncs under a sustained load: a sync costs the kernel about half a
 * millisecond of CPU here (ext4's journal), whatever it carries, so syncing back to back at a
 * few hundred a second spent a fifth of a core on syncs alone. After an idle spell the first
 * commit is synced at once; only while syncs follow each other does the next one wait until
 * `minIntervalMs` after the previous one began, carrying everything written meanwhile.
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
  /** The next sync waits for minIntervalMs to pass. */
  private timer: NodeJS.Timeout | undefined;
  private lastStart = Number.NEGATIVE_INFINITY;
  private closed = false;
  private beforeSync: (() => void) | undefined;

  /** `observe`: how long each sync took, in ms (the disk's latency, for /metrics). */
  constructor(
    walPath: string,
    private readonly options: { minIntervalMs?: number; observe?: (ms: number) => void } = {},
  ) {
    this.fd = openSync(walPath, 'r+');
  }

  /** A sync is running or due: a commit now waits for the next one. */
  busy(): boolean {
    return this.syncing || this.timer !== undefined;
  }

  /** Called as each sync ends, before the next one starts (the outbox commits then). */
  onBeforeSync(fn: () => void): void {
    this.beforeSync = fn;
  }

  /** After a commit: `done` runs once everything written so far is on disk. */
  afterWrite(done: Synced): void {
    if (this.closed) throw new Error('the outbox sync is closed');
    this.waiting.push(done);
    if (!this.busy()) this.next();
  }

  /**
   * Syncs what is waiting now, on this thread (the outbox is closing: nothing may be left
   * unsynced); a sync already running still calls back. The descriptor closes after it.
   */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    clearTimeout(this.timer);
    this.timer = undefined;
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

  /** The next sync: now, or once minIntervalMs has passed since the last one began. */
  private next(): void {
    const wait = this.lastStart + (this.options.minIntervalMs ?? 0) - performance.now();
    if (wait > 0) {
      this.timer = setTimeout(() => {
        this.timer = undefined;
        // Checked again, not assumed: a timer runs against the loop's cached time, which lags
        // behind performance.now() on a busy loop, so it can fire a few ms early (measured:
        // most syncs came early, 540 a second with a 5 ms interval).
        this.next();
      }, wait);
    } else this.due();
  }

  /** Time for a sync: whatever the outbox deferred is committed first, then synced. */
  private due(): void {
    this.beforeSync?.();
    if (this.waiting.length > 0 && !this.syncing) this.start();
  }

  private start(): void {
    const batch = this.waiting;
    this.waiting = [];
    this.syncing = true;
    const t0 = performance.now();
    this.lastStart = t0;
    fdatasync(this.fd, (error) => {
      this.syncing = false;
      this.options.observe?.(performance.now() - t0);
      const failure = error
        ? new Error(`cannot sync the outbox to disk: ${error.message}`)
        : undefined;
      // The disk starts on the next sync (or its wait) while this one's callbacks run.
      if (!this.closed) this.next();
      for (const done of batch) done(failure);
      if (this.closed && !this.syncing) closeSync(this.fd);
    });
  }
}
