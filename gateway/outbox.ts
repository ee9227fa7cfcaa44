/**
 * The durable outbox: accepted readings are appended in batched transactions (group commit:
 * every append waiting in the same turn of the event loop shares one commit) and the promise
 * of each append resolves only once its row is on disk. The device's PUBACK waits for that
 * promise. Rows leave only when the forwarder reports that upstream acknowledged them.
 */
import type { ForwardedTelemetry } from '../contract/index.js';
import type { Clock } from '../lib/clock.js';
import type { OutboxPolicy } from './config.js';
import type { Db } from './store.js';

export interface OutboxOptions {
  budgetBytes: number;
  policy: OutboxPolicy;
  maxBatch: number;
  /** Counts readings lost to the budget: dropped (oldest) or refused (new). */
  onBudget?: (policy: OutboxPolicy, count: number) => void;
  /** Called after each commit, so the forwarder wakes up. */
  onCommit?: () => void;
  /** Drives the periodic write of the dedupe floor; without it, it is written at close. */
  clock?: Clock;
}

const SEEN_FLUSH_MS = 2000;

export class OutboxFullError extends Error {
  constructor(budgetBytes: number) {
    super(`outbox is full (budget ${budgetBytes} bytes, policy reject-new)`);
  }
}

export interface OutboxRow {
  id: number;
  /** Gateway receive time, for the forward latency. */
  rx: number;
  /** The ForwardedTelemetry as stored: JSON, passed upstream without a parse. */
  body: string;
}

interface Pending {
  item: ForwardedTelemetry;
  body: string;
  resolve: () => void;
  reject: (error: Error) => void;
}

export class Outbox {
  private pending: Pending[] = [];
  private scheduled = false;
  private bytes: number;
  private rows: number;
  private readonly insert;
  private readonly upsertSeen;
  private readonly selectAfter;
  private readonly deleteRange;
  private readonly dropOldest;
  private readonly deleteRangeFast;
  private dropEpoch = 0;
  private seenDirty = new Map<string, { boot: number; seq: number }>();
  private readonly seenTimer;
  private readonly oldest;
  private readonly commitBatch;

  constructor(
    private readonly db: Db,
    private readonly options: OutboxOptions,
  ) {
    const totals = db
      .prepare('SELECT COUNT(*) AS n, COALESCE(SUM(LENGTH(body)), 0) AS b FROM outbox')
      .get() as {
      n: number;
      b: number;
    };
    this.rows = totals.n;
    this.bytes = totals.b;
    this.insert = db.prepare('INSERT INTO outbox (device, rx, body) VALUES (?, ?, ?)');
    this.upsertSeen = db.prepare(
      'INSERT INTO seen (device, boot, seq) VALUES (?, ?, ?) ON CONFLICT(device) DO UPDATE SET boot = excluded.boot, seq = MAX(CASE WHEN seen.boot = excluded.boot THEN seen.seq ELSE -1 END, excluded.seq)',
    );
    this.selectAfter = db.prepare(
      'SELECT id, rx, body FROM outbox WHERE id > ? ORDER BY id LIMIT ?',
    );
    this.deleteRange = db.prepare(
      'DELETE FROM outbox WHERE id >= ? AND id <= ? RETURNING LENGTH(body) AS b',
    );
    this.deleteRangeFast = db.prepare('DELETE FROM outbox WHERE id >= ? AND id <= ?');
    this.dropOldest = db.prepare(
      'DELETE FROM outbox WHERE id IN (SELECT id FROM outbox ORDER BY id LIMIT ?) RETURNING LENGTH(body) AS b',
    );
    this.oldest = db.prepare('SELECT rx FROM outbox ORDER BY id LIMIT 1');
    this.seenTimer = options.clock?.setInterval(() => this.flushSeen(), SEEN_FLUSH_MS);
    this.commitBatch = db.transaction((batch: Pending[]) => {
      for (const p of batch) this.insert.run(p.item.device, p.item.rx, p.body);
      this.rows += batch.length;
      for (const p of batch) this.bytes += p.body.length;
      this.enforceBudget();
    });
  }

  /** Resolves once the reading is committed; rejects with OutboxFullError under reject-new. */
  append(item: ForwardedTelemetry): Promise<void> {
    const body = JSON.stringify(item);
    if (
      this.options.policy === 'reject-new' &&
      this.bytes + this.pendingBytes() + body.length > this.options.budgetBytes
    ) {
      this.options.onBudget?.('reject-new', 1);
      return Promise.reject(new OutboxFullError(this.options.budgetBytes));
    }
    return new Promise<void>((resolve, reject) => {
      this.pending.push({ item, body, resolve, reject });
      if (this.pending.length >= this.options.maxBatch) this.flush();
      else if (!this.scheduled) {
        this.scheduled = true;
        // setImmediate, not a timer: every publish parsed from the same socket reads joins in.
        setImmediate(() => this.flush());
      }
    });
  }

  /** Writes whatever is waiting, now. */
  flush(): void {
    this.scheduled = false;
    if (this.pending.length === 0) return;
    const batch = this.pending;
    this.pending = [];
    try {
      this.commitBatch(batch);
    } catch (error) {
      for (const p of batch) p.reject(error as Error);
      return;
    }
    for (const p of batch) {
      const seen = this.seenDirty.get(p.item.device);
      if (!seen || seen.boot !== p.item.boot || seen.seq < p.item.seq) {
        this.seenDirty.set(p.item.device, { boot: p.item.boot, seq: p.item.seq });
      }
      p.resolve();
    }
    this.options.onCommit?.();
  }

  /** Up to `limit` rows after `afterId`, oldest first. */
  readAfter(afterId: number, limit: number): OutboxRow[] {
    return this.selectAfter.all(afterId, limit) as OutboxRow[];
  }

  /**
   * Deletes rows firstId..lastId: upstream acknowledged them. `read` is what readAfter
   * returned for them (count, bytes, and the drop epoch then): while nothing was dropped
   * since, the totals are known and the delete need not return every row's size.
   */
  acknowledge(
    firstId: number,
    lastId: number,
    read?: { rows: number; bytes: number; epoch: number },
  ): void {
    if (read && read.epoch === this.dropEpoch) {
      this.deleteRangeFast.run(firstId, lastId);
      this.rows -= read.rows;
      this.bytes -= read.bytes;
      return;
    }
    const removed = this.deleteRange.all(firstId, lastId) as Array<{ b: number }>;
    this.forget(removed);
  }

  /** Changes whenever rows leave other than by acknowledge (budget drops). */
  epoch(): number {
    return this.dropEpoch;
  }

  depth(): number {
    return this.rows;
  }

  sizeBytes(): number {
    return this.bytes;
  }

  /** Gateway receive time of the oldest queued reading. */
  oldestRx(): number | undefined {
    return (this.oldest.get() as { rx: number } | undefined)?.rx;
  }

  /** The last committed (boot, seq) per device: the dedupe floor after a restart. */
  lastSeen(): Map<string, { boot: number; seq: number }> {
    this.flushSeen();
    const rows = this.db.prepare('SELECT device, boot, seq FROM seen').all() as Array<{
      device: string;
      boot: number;
      seq: number;
    }>;
    return new Map(rows.map((r) => [r.device, { boot: r.boot, seq: r.seq }]));
  }

  /**
   * Writes the dedupe floor (last committed seq per device). Apart from the readings, and
   * only every few seconds: a floor that lags after a crash lets a duplicate through, which
   * at-least-once allows, while writing it in every transaction cost a row per device.
   */
  flushSeen(): void {
    if (this.seenDirty.size === 0) return;
    const dirty = this.seenDirty;
    this.seenDirty = new Map();
    this.db.transaction(() => {
      for (const [device, { boot, seq }] of dirty) this.upsertSeen.run(device, boot, seq);
    })();
  }

  /** Writes what is waiting, and the dedupe floor, before the database closes. */
  close(): void {
    this.flush();
    this.flushSeen();
    this.options.clock?.clearInterval(this.seenTimer);
  }

  private pendingBytes(): number {
    let sum = 0;
    for (const p of this.pending) sum += p.body.length;
    return sum;
  }

  private enforceBudget(): void {
    if (this.options.policy !== 'drop-oldest' || this.bytes <= this.options.budgetBytes) return;
    let dropped = 0;
    while (this.bytes > this.options.budgetBytes && this.rows > 0) {
      // Drop in chunks: about the share of rows by which the budget is exceeded, at least 1.
      const excess = this.bytes - this.options.budgetBytes;
      const chunk = Math.max(1, Math.ceil((excess / Math.max(1, this.bytes)) * this.rows));
      const removed = this.dropOldest.all(chunk) as Array<{ b: number }>;
      this.forget(removed);
      this.dropEpoch += 1;
      dropped += removed.length;
    }
    if (dropped > 0) this.options.onBudget?.('drop-oldest', dropped);
  }

  private forget(removed: Array<{ b: number }>): void {
    this.rows -= removed.length;
    for (const r of removed) this.bytes -= r.b;
  }
}
