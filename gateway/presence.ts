/**
 * Presence: which devices are online, since when, and why the others are not. A device is
 * online while its connection is open (MQTT client or serial port); keepalive is the
 * fallback the broker applies to half-open links. Every transition carries its reason,
 * changes are coalesced per event-loop turn into one diff, and the last state is kept on disk
 * so a restarted gateway can report, not guess: whatever was online when it died is `lost`.
 */
import type { Birth, OfflineReason, PresenceEntry } from '../contract/index.js';
import type { Clock } from '../lib/clock.js';
import type { Db } from './store.js';

export type Via = 'mqtt' | 'serial';

export interface PresenceHooks {
  /** A coalesced batch of changes (joins, leaves, births). */
  onDiff(changes: PresenceEntry[]): void;
  /** A device went offline: the broker publishes its retained status. */
  onOffline(device: string, reason: OfflineReason, ts: number): void;
}

export class Presence {
  private readonly entries = new Map<string, PresenceEntry>();
  /** Transitions since the last flush, in order: a replaced-then-rejoined device shows both. */
  private changed: PresenceEntry[] = [];
  private scheduled = false;
  private readonly upsert;
  private readonly hooks: PresenceHooks[] = [];

  constructor(
    private readonly db: Db,
    private readonly clock: Clock,
  ) {
    this.upsert = db.prepare(
      'INSERT INTO presence (device, entry) VALUES (?, ?) ON CONFLICT(device) DO UPDATE SET entry = excluded.entry',
    );
  }

  subscribe(hooks: PresenceHooks): () => void {
    this.hooks.push(hooks);
    return () => {
      const i = this.hooks.indexOf(hooks);
      if (i >= 0) this.hooks.splice(i, 1);
    };
  }

  /**
   * Loads the last state written. Devices still online in it were online when the gateway
   * died without stopping: they are `lost` now (a clean stop already wrote gateway-stopping).
   */
  restore(): void {
    const rows = this.db.prepare('SELECT device, entry FROM presence').all() as Array<{
      device: string;
      entry: string;
    }>;
    const now = this.clock.now();
    for (const row of rows) {
      const entry = JSON.parse(row.entry) as PresenceEntry;
      if (entry.online) {
        this.entries.set(row.device, entry);
        this.leave(row.device, 'lost', now);
      } else this.entries.set(row.device, entry);
    }
    this.persistNow();
  }

  get(device: string): PresenceEntry | undefined {
    return this.entries.get(device);
  }

  isOnline(device: string): boolean {
    return this.entries.get(device)?.online === true;
  }

  all(): PresenceEntry[] {
    return [...this.entries.values()].sort((a, b) => a.device.localeCompare(b.device));
  }

  onlineCount(): number {
    let n = 0;
    for (const e of this.entries.values()) if (e.online) n += 1;
    return n;
  }

  join(device: string, via: Via, birth?: Birth): void {
    const previous = this.entries.get(device);
    if (previous?.online && previous.via === via && !birth) return;
    const entry: PresenceEntry = {
      device,
      online: true,
      since: previous?.online ? previous.since : this.clock.now(),
      via,
      ...(birth ? { birth } : previous?.birth ? { birth: previous.birth } : {}),
    };
    this.set(entry);
  }

  /** Records a birth; the device joins if it was not online yet. */
  birth(device: string, via: Via, birth: Birth): void {
    this.join(device, via, birth);
  }

  leave(device: string, reason: OfflineReason, ts = this.clock.now()): void {
    const previous = this.entries.get(device);
    if (previous && !previous.online) return;
    this.set({
      device,
      online: false,
      reason,
      since: ts,
      ...(previous?.via ? { via: previous.via } : {}),
      ...(previous?.birth ? { birth: previous.birth } : {}),
    });
    for (const h of this.hooks) h.onOffline(device, reason, ts);
  }

  /** Every online device goes offline with `reason` (the gateway is stopping). */
  leaveAll(reason: OfflineReason): void {
    const now = this.clock.now();
    for (const entry of [...this.entries.values()])
      if (entry.online) this.leave(entry.device, reason, now);
    this.flush();
  }

  /** Sends pending diffs and writes pending changes now. */
  flush(): void {
    this.scheduled = false;
    if (this.changed.length === 0) return;
    const changes = this.changed;
    this.changed = [];
    this.persist(changes);
    for (const h of this.hooks) h.onDiff(changes);
  }

  private set(entry: PresenceEntry): void {
    this.entries.set(entry.device, entry);
    this.changed.push(entry);
    if (!this.scheduled) {
      this.scheduled = true;
      setImmediate(() => this.flush());
    }
  }

  private persist(changes: PresenceEntry[]): void {
    const latest = new Map(changes.map((e) => [e.device, e]));
    this.db.transaction(() => {
      for (const e of latest.values()) this.upsert.run(e.device, JSON.stringify(e));
    })();
  }

  private persistNow(): void {
    this.persist([...this.entries.values()]);
  }
}
