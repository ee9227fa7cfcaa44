/**
 * The outbox rows that were committed and that the forwarder has not read yet, kept in memory
 * so that it reads them from here instead of from SQLite: no query, and no copy of every body
 * out of the database, for rows the outbox wrote a moment ago. Bounded in bytes: past the
 * bound (upstream down, a backlog) the oldest leave this cache and are read from disk, as are
 * the rows of an earlier run.
 *
 * `from` is the invariant: every committed row with an id at or above it is here, in id order.
 * A read after an id below it goes to the disk.
 */
import type { OutboxRow } from './outbox.js';

export class RecentRows {
  private rows: OutboxRow[] = [];
  /** Rows before this index have been read or evicted. */
  private head = 0;
  private bytes = 0;
  private from: number;

  constructor(
    nextId: number,
    private readonly maxBytes: number,
  ) {
    this.from = nextId;
  }

  /** A row is committed (rows come in id order). */
  add(row: OutboxRow): void {
    this.rows.push(row);
    this.bytes += row.body.length;
    while (this.bytes > this.maxBytes && this.head < this.rows.length - 1) {
      const evicted = this.rows[this.head++] as OutboxRow;
      this.bytes -= evicted.body.length;
      this.from = evicted.id + 1;
    }
    this.compact();
  }

  /** Rows left other than by a read (the disk budget dropped some): read from disk again. */
  reset(nextId: number): void {
    this.rows = [];
    this.head = 0;
    this.bytes = 0;
    this.from = nextId;
  }

  /**
   * Rows after `afterId` up to `maxReadings` readings (at least one row), taken out of the
   * cache; undefined when the cache cannot tell (older rows, only on disk).
   */
  take(afterId: number, maxReadings: number): OutboxRow[] | undefined {
    if (afterId + 1 < this.from) return undefined;
    while (this.head < this.rows.length && (this.rows[this.head] as OutboxRow).id <= afterId) {
      this.bytes -= (this.rows[this.head++] as OutboxRow).body.length;
    }
    const taken: OutboxRow[] = [];
    let readings = 0;
    while (this.head < this.rows.length) {
      const row = this.rows[this.head] as OutboxRow;
      if (taken.length > 0 && readings + row.n > maxReadings) break;
      taken.push(row);
      readings += row.n;
      this.head++;
      this.bytes -= row.body.length;
      if (readings >= maxReadings) break;
    }
    const last = taken[taken.length - 1];
    this.from = Math.max(this.from, (last?.id ?? afterId) + 1);
    this.compact();
    return taken;
  }

  private compact(): void {
    if (this.head > 1024 && this.head * 2 > this.rows.length) {
      this.rows = this.rows.slice(this.head);
      this.head = 0;
    }
  }
}
