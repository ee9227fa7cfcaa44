/**
 * The dedupe floor: the last committed (boot, seq) per device, kept in the `seen` table so a
 * restarted gateway knows which readings it already stored (device-session.ts seeds each
 * device's SeqWindow from it).
 *
 * Written apart from the readings, and only every few seconds: a floor that lags after a
 * crash lets a duplicate through, which at-least-once allows, while writing it in every
 * transaction cost a row per device.
 */
import type { Clock } from '../lib/clock.js';
import type { Db } from './store.js';

const FLUSH_MS = 2000;

export interface Seen {
  boot: number;
  seq: number;
}

export class DedupeFloor {
  private dirty = new Map<string, Seen>();
  private readonly upsert;
  private readonly timer;

  /** Without a clock the floor is written only by flush() (and so at close). */
  constructor(
    private readonly db: Db,
    private readonly clock?: Clock,
  ) {
    this.upsert = db.prepare(
      'INSERT INTO seen (device, boot, seq) VALUES (?, ?, ?) ON CONFLICT(device) DO UPDATE SET boot = excluded.boot, seq = MAX(CASE WHEN seen.boot = excluded.boot THEN seen.seq ELSE -1 END, excluded.seq)',
    );
    this.timer = clock?.setInterval(() => this.flush(), FLUSH_MS);
  }

  /** (device, boot, seq) is on disk: the floor rises to it (or moves to a new boot). */
  note(device: string, boot: number, seq: number): void {
    const seen = this.dirty.get(device);
    if (!seen) this.dirty.set(device, { boot, seq });
    else if (seen.boot !== boot || seen.seq < seq) {
      seen.boot = boot;
      seen.seq = seq;
    }
  }

  /** Writes what changed since the last write. */
  flush(): void {
    if (this.dirty.size === 0) return;
    const dirty = this.dirty;
    this.dirty = new Map();
    this.db.transaction(() => {
      for (const [device, { boot, seq }] of dirty) this.upsert.run(device, boot, seq);
    })();
  }

  /** The floor per device, as written (after writing what changed). */
  read(): Map<string, Seen> {
    this.flush();
    const rows = this.db.prepare('SELECT device, boot, seq FROM seen').all() as Array<
      { device: string } & Seen
    >;
    return new Map(rows.map((r) => [r.device, { boot: r.boot, seq: r.seq }]));
  }

  /** The last write, and no more timer. */
  close(): void {
    this.flush();
    this.clock?.clearInterval(this.timer);
  }
}
