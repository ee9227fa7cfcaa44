/**
 * The durable outbox: accepted readings are appended in batched transactions (group commit:
 * every append waiting in the same turn of the event loop shares one commit), and each
 * append's callback runs only once its reading is on disk. The device's PUBACK waits for it.
 * Rows leave only when the forwarder reports that upstream acknowledged them.
 *
 * One row per commit group, not per reading: a row holds the group's readings as the JSON
 * items of a TelemetryBatch, joined by commas, so the forwarder sends rows as they are and a
 * commit of 500 readings is one insert, one delete later. Per device, order is the order of
 * rows and, within a row, of appends.
 *
 * With `walSync` (synchronous FULL in the gateway) the connection commits without syncing and
 * the WAL is synced on the thread pool before the callbacks run (wal-sync.ts): the event loop
 * does not wait for the disk. The forwarder may read a row as soon as it is committed, before
 * its sync (publishCommitted says why). Deletes of acknowledged rows wait for the next commit
 * and go in its transaction (a crash before it resends them: a duplicate, never a loss).
 */
import type { ForwardedTelemetry } from '../contract/index.js';
import type { Clock } from '../lib/clock.js';
import type { OutboxPolicy } from './config.js';
import { DedupeFloor, type Seen } from './dedupe-floor.js';
import { RecentRows } from './recent-rows.js';
import type { Db } from './store.js';
import type { WalSync } from './wal-sync.js';

export interface OutboxOptions {
  budgetBytes: number;
  policy: OutboxPolicy;
  /** Readings in one commit group (one row) at most; a full group is written at once. */
  maxBatch: number;
  /** Counts readings lost to the budget: dropped (oldest) or refused (new). */
  onBudget?: (policy: OutboxPolicy, count: number) => void;
  /** Called after each commit, so the forwarder wakes up. */
  onCommit?: () => void;
  /** Drives the periodic write of the dedupe floor; without it, it is written at close. */
  clock?: Clock;
  /**
   * Syncs the WAL after each commit, off the event loop; the connection then commits with
   * synchronous OFF. Without it, a commit is as durable as the connection's own setting.
   */
  walSync?: WalSync;
  /**
   * How long a commit group may wait for a running (or due) sync before it is committed
   * anyway: upstream then gets its rows without waiting for the disk (default 5 ms).
   */
  maxCommitWaitMs?: number;
}

/** Called once the reading (or, for `afterPending`, everything appended before) is on disk. */
export type Durable = (error: Error | undefined) => void;

const MAX_COMMIT_WAIT_MS = 5;
/** Bytes of committed, unread rows the forwarder reads from memory (recent-rows.ts). */
const RECENT_MAX_BYTES = 4 * 1024 * 1024;

export class OutboxFullError extends Error {
  constructor(budgetBytes: number) {
    super(`outbox is full (budget ${budgetBytes} bytes, policy reject-new)`);
  }
}

export interface OutboxRow {
  id: number;
  /** Readings in the row. */
  n: number;
  /** Gateway receive time of the row's first reading, for the forward latency. */
  rx: number;
  /** The row's ForwardedTelemetry items as stored: JSON objects joined by commas. */
  body: string;
}

/** What the forwarder read, so that acknowledging it need not count the rows again. */
export interface ReadTotals {
  readings: number;
  bytes: number;
  epoch: number;
}

/** Who and which (boot, seq) each reading of a commit group is, for the dedupe floor. */
interface GroupKeys {
  devices: string[];
  boots: number[];
  seqs: number[];
}

export class Outbox {
  /** The open commit group. */
  private pendingBody = '';
  /**
   * The open group's readings, as the dedupe floor needs them once they are durable: device,
   * boot and seq in parallel arrays, so the items themselves are garbage once stringified.
   */
  private pendingDevices: string[] = [];
  private pendingBoots: number[] = [];
  private pendingSeqs: number[] = [];
  private pendingRx = 0;
  /** When the open group's first reading arrived (performance.now()). */
  private pendingSince = 0;
  /** Commits the deferred group once it has waited maxCommitWaitMs. */
  private commitTimer: NodeJS.Timeout | undefined;
  /** Callbacks in append order: one per reading, plus the `afterPending` waiters. */
  private pendingDone: Durable[] = [];
  /** The callbacks of the last group committed and not yet synced (afterPending joins them). */
  private syncing: Durable[] | undefined;
  /** Acknowledged rows (first, last id) not deleted yet: they go with the next commit. */
  private pendingDeletes: number[] = [];
  private scheduled = false;
  /** The row a read stopped at (it did not fit): the next read from there starts with it. */
  private peeked: { afterId: number; row: OutboxRow; epoch: number } | undefined;
  /** A flush found the WAL sync busy: the group is committed as that sync ends. */
  private deferred = false;
  private bytes: number;
  private readings: number;
  private lastId: number;
  /** The last row committed: the forwarder reads no further (publishCommitted). */
  private committedId: number;
  private readonly recent: RecentRows;
  private readonly insert;
  private readonly selectAfter;
  private readonly deleteRange;
  private readonly dropOldest;
  private readonly deleteRangeFast;
  private dropEpoch = 0;
  private readonly floor: DedupeFloor;
  private readonly oldest;
  private readonly commitGroup;

  constructor(
    private readonly db: Db,
    private readonly options: OutboxOptions,
  ) {
    const totals = db
      .prepare(
        'SELECT COALESCE(SUM(n), 0) AS n, COALESCE(SUM(LENGTH(body)), 0) AS b FROM outbox_rows',
      )
      .get() as { n: number; b: number };
    this.readings = totals.n;
    this.bytes = totals.b;
    // Ids rise within a run (the forwarder's cursor relies on it); a new run may reuse the
    // ids of rows deleted before it, since nothing outside a run remembers them.
    this.lastId = (
      db.prepare('SELECT COALESCE(MAX(id), 0) AS id FROM outbox_rows').get() as { id: number }
    ).id;
    this.committedId = this.lastId;
    this.recent = new RecentRows(this.lastId + 1, RECENT_MAX_BYTES);
    this.insert = db.prepare('INSERT INTO outbox_rows (id, n, rx, body) VALUES (?, ?, ?, ?)');
    this.selectAfter = db.prepare(
      'SELECT id, n, rx, body FROM outbox_rows WHERE id > ? AND id <= ? ORDER BY id',
    );
    this.deleteRange = db.prepare(
      'DELETE FROM outbox_rows WHERE id >= ? AND id <= ? RETURNING n, LENGTH(body) AS b',
    );
    this.deleteRangeFast = db.prepare('DELETE FROM outbox_rows WHERE id >= ? AND id <= ?');
    this.dropOldest = db.prepare(
      'DELETE FROM outbox_rows WHERE id = (SELECT MIN(id) FROM outbox_rows) RETURNING n, LENGTH(body) AS b',
    );
    this.oldest = db.prepare('SELECT rx FROM outbox_rows ORDER BY id LIMIT 1');
    options.walSync?.onBeforeSync(() => {
      if (this.deferred) this.flush();
    });
    this.floor = new DedupeFloor(db, options.clock);
    this.commitGroup = db.transaction((n: number, rx: number, body: string) => {
      this.runDeletes();
      if (n === 0) return;
      this.insert.run(++this.lastId, n, rx, body);
      this.readings += n;
      this.bytes += body.length;
      this.enforceBudget();
    });
  }

  /**
   * Queues a reading for the next commit; `done` runs once it is on disk (or with the
   * error). Under reject-new past the budget, `done` runs at once with an OutboxFullError.
   */
  add(item: ForwardedTelemetry, done: Durable): void {
    const body = JSON.stringify(item);
    // The row's bytes as stored: the items joined by commas.
    const grows = this.pendingDevices.length === 0 ? body.length : body.length + 1;
    if (
      this.options.policy === 'reject-new' &&
      this.bytes + this.pendingBody.length + grows > this.options.budgetBytes
    ) {
      this.options.onBudget?.('reject-new', 1);
      done(new OutboxFullError(this.options.budgetBytes));
      return;
    }
    if (this.pendingDevices.length === 0) {
      this.pendingBody = body;
      this.pendingRx = item.rx;
      this.pendingSince = performance.now();
    } else this.pendingBody = `${this.pendingBody},${body}`;
    this.pendingDevices.push(item.device);
    this.pendingBoots.push(item.boot);
    this.pendingSeqs.push(item.seq);
    this.pendingDone.push(done);
    if (this.pendingDevices.length >= this.options.maxBatch) this.flush();
    else this.schedule();
  }

  /** `add` as a promise: resolves once committed, rejects with OutboxFullError under reject-new. */
  append(item: ForwardedTelemetry): Promise<void> {
    return new Promise((resolve, reject) =>
      this.add(item, (error) => (error ? reject(error) : resolve())),
    );
  }

  /**
   * Runs `done` once everything appended so far is on disk: at once when nothing waits. A
   * device's PUBACKs then leave in the order of its publishes ([MQTT-4.6.0-2]) even when a
   * later message (a duplicate, a birth) needs no write of its own.
   */
  afterPending(done: Durable): void {
    if (this.pendingDone.length > 0) this.pendingDone.push(done);
    else if (this.syncing) this.syncing.push(done);
    else done(undefined);
  }

  /**
   * Writes whatever is waiting (readings, deletes); the callbacks run once it is durable.
   * While the WAL sync is busy, the commit waits for it to end (unless `now`, or the group is
   * full): a commit made now could not be synced any sooner, and more join it meanwhile, so
   * there are fewer commits (each costs CPU). But upstream reads rows as they are committed,
   * so a group waits at most maxCommitWaitMs: a sync slowed by the disk (tens of ms on a
   * shared one) then delays only the devices' PUBACKs, not their readings upstream.
   */
  flush(now = false): void {
    this.scheduled = false;
    const walSync = this.options.walSync;
    if (!now && walSync?.busy() && this.pendingDevices.length < this.options.maxBatch) {
      if (this.pendingDevices.length === 0 || this.commitWait() > 0) {
        this.deferred = true;
        this.armCommitTimer();
        return;
      }
    }
    this.deferred = false;
    clearTimeout(this.commitTimer);
    this.commitTimer = undefined;
    if (this.pendingDevices.length === 0) {
      if (this.pendingDeletes.length > 0) this.commitGroup(0, 0, '');
      return;
    }
    const keys: GroupKeys = {
      devices: this.pendingDevices,
      boots: this.pendingBoots,
      seqs: this.pendingSeqs,
    };
    const n = keys.devices.length;
    const body = this.pendingBody;
    const callbacks = this.pendingDone;
    const rx = this.pendingRx;
    this.pendingDevices = [];
    this.pendingBoots = [];
    this.pendingSeqs = [];
    this.pendingBody = '';
    this.pendingDone = [];
    const epoch = this.dropEpoch;
    try {
      this.commitGroup(n, rx, body);
    } catch (error) {
      for (const done of callbacks) done(error as Error);
      return;
    }
    this.publishCommitted(epoch, { id: this.lastId, n, rx, body });
    if (!walSync) {
      this.settle(keys, callbacks, undefined);
      return;
    }
    this.syncing = callbacks;
    walSync.afterWrite((error) => {
      if (this.syncing === callbacks) this.syncing = undefined;
      this.settle(keys, callbacks, error);
    });
  }

  /**
   * Rows after `afterId`, oldest first, up to `maxReadings` readings (always at least one row,
   * however many it holds).
   */
  readAfter(afterId: number, maxReadings: number): OutboxRow[] {
    const cached = this.recent.take(afterId, maxReadings);
    if (cached) return cached;
    const rows: OutboxRow[] = [];
    let readings = 0;
    let from = afterId;
    const peeked = this.peeked;
    this.peeked = undefined;
    if (peeked && peeked.afterId === afterId && peeked.epoch === this.dropEpoch) {
      rows.push(peeked.row);
      readings = peeked.row.n;
      from = peeked.row.id;
      if (readings >= maxReadings) return rows;
    }
    for (const row of this.selectAfter.iterate(
      from,
      this.committedId,
    ) as IterableIterator<OutboxRow>) {
      if (this.isAcknowledged(row.id)) continue; // its delete waits for the next commit
      if (rows.length > 0 && readings + row.n > maxReadings) {
        // Read, and too many for this batch: kept for the next read, which starts here.
        this.peeked = {
          afterId: (rows[rows.length - 1] as OutboxRow).id,
          row,
          epoch: this.dropEpoch,
        };
        break;
      }
      rows.push(row);
      readings += row.n;
      if (readings >= maxReadings) break;
    }
    return rows;
  }

  /**
   * Deletes rows firstId..lastId: upstream acknowledged them. `read` is what readAfter
   * returned for them (readings, bytes, and the drop epoch then): while nothing was dropped
   * since, the totals are known and the delete need not return every row's size.
   */
  acknowledge(firstId: number, lastId: number, read?: ReadTotals): void {
    if (read && read.epoch === this.dropEpoch) {
      // Counted now; deleted with the next commit.
      this.pendingDeletes.push(firstId, lastId);
      this.readings -= read.readings;
      this.bytes -= read.bytes;
      this.schedule();
      return;
    }
    // Rows were dropped since the read: count what is actually there.
    this.deleteAcknowledged();
    for (const r of this.deleteRange.all(firstId, lastId) as Array<{ n: number; b: number }>) {
      this.forget(r);
    }
  }

  /** Changes whenever rows leave other than by acknowledge (budget drops). */
  epoch(): number {
    return this.dropEpoch;
  }

  /** Readings queued on disk. */
  depth(): number {
    return this.readings;
  }

  sizeBytes(): number {
    return this.bytes;
  }

  /** Gateway receive time of the oldest queued reading. */
  oldestRx(): number | undefined {
    this.deleteAcknowledged();
    return (this.oldest.get() as { rx: number } | undefined)?.rx;
  }

  /** The last committed (boot, seq) per device: the dedupe floor after a restart. */
  lastSeen(): Map<string, Seen> {
    return this.floor.read();
  }

  /** Writes what is waiting, and the dedupe floor, before the database closes. */
  close(): void {
    clearTimeout(this.commitTimer);
    this.commitTimer = undefined;
    this.flush(true);
    this.deleteAcknowledged();
    this.floor.close();
    this.options.walSync?.close();
  }

  /**
   * A committed row is readable by the forwarder at once, before its sync: the sync is the
   * device's PUBACK, not upstream's. Forwarding first takes the disk's latency (a few ms, with
   * a tail of tens of ms on a shared disk) out of device-to-backend latency, and loses
   * nothing: a row lost in a crash before its sync was never PUBACKed, so its devices resend
   * it, and upstream sees it twice at worst (at-least-once, as after any crash).
   */
  private publishCommitted(epoch: number, row: OutboxRow): void {
    this.committedId = row.id;
    // Unless the budget dropped rows meanwhile (perhaps this one), it joins the recent rows.
    if (epoch === this.dropEpoch) this.recent.add(row);
    else this.recent.reset(row.id + 1);
    this.options.onCommit?.();
  }

  /**
   * The group is on disk (or its sync failed): the devices' callbacks run. A failed sync leaves
   * the row committed and readable, perhaps not on disk; its devices were refused, so at worst
   * it goes upstream and again when they resend.
   */
  private settle(keys: GroupKeys, callbacks: Durable[], error: Error | undefined): void {
    if (!error) {
      for (let i = 0; i < keys.devices.length; i++) {
        this.floor.note(keys.devices[i] as string, keys.boots[i] as number, keys.seqs[i] as number);
      }
    }
    for (const done of callbacks) done(error);
  }

  private isAcknowledged(id: number): boolean {
    const ranges = this.pendingDeletes;
    for (let i = 0; i < ranges.length; i += 2) {
      if (id >= (ranges[i] as number) && id <= (ranges[i + 1] as number)) return true;
    }
    return false;
  }

  /** The acknowledged rows waiting for a commit, deleted now. */
  private deleteAcknowledged(): void {
    if (this.pendingDeletes.length > 0) this.db.transaction(() => this.runDeletes())();
  }

  private runDeletes(): void {
    const ranges = this.pendingDeletes;
    if (ranges.length === 0) return;
    this.pendingDeletes = [];
    for (let i = 0; i < ranges.length; i += 2) {
      this.deleteRangeFast.run(ranges[i] as number, ranges[i + 1] as number);
    }
  }

  /** How much longer the open group may wait for a sync, in ms. */
  private commitWait(): number {
    const max = this.options.maxCommitWaitMs ?? MAX_COMMIT_WAIT_MS;
    return this.pendingSince + max - performance.now();
  }

  private armCommitTimer(): void {
    if (this.commitTimer !== undefined || this.pendingDevices.length === 0) return;
    this.commitTimer = setTimeout(
      () => {
        this.commitTimer = undefined;
        if (this.deferred) this.flush();
      },
      Math.max(0, this.commitWait()),
    );
  }

  private schedule(): void {
    if (this.deferred) this.armCommitTimer();
    if (this.scheduled || this.deferred) return;
    this.scheduled = true;
    // setImmediate, not a timer: every publish parsed from the socket reads of this turn joins in.
    setImmediate(() => this.flush());
  }

  private enforceBudget(): void {
    if (this.options.policy !== 'drop-oldest' || this.bytes <= this.options.budgetBytes) return;
    let dropped = 0;
    while (this.bytes > this.options.budgetBytes && this.readings > 0) {
      const removed = this.dropOldest.get() as { n: number; b: number } | undefined;
      if (!removed) break;
      this.forget(removed);
      this.dropEpoch += 1;
      // The dropped rows may be among the recent ones: read from disk until past them.
      this.recent.reset(this.lastId + 1);
      dropped += removed.n;
    }
    if (dropped > 0) this.options.onBudget?.('drop-oldest', dropped);
  }

  private forget(removed: { n: number; b: number }): void {
    this.readings -= removed.n;
    this.bytes -= removed.b;
  }
}
