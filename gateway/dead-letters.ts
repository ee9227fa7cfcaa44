/**
 * The bounded dead-letter store: every rejected device message with its reason, detail and
 * (truncated) payload, newest kept, oldest evicted past `max`. `fullstack deadletters` reads it.
 * Letters are written in one transaction per event-loop turn: a device sending garbage as
 * fast as it can must not cost a disk sync per message, which every other device would feel.
 */
import type { RejectCode } from './device-session.js';
import type { Db } from './store.js';

export interface DeadLetter {
  id: number;
  ts: number;
  device: string;
  client: string;
  topic: string;
  reason: RejectCode;
  detail: string;
  payload: string;
}

/** Enough of the payload to see what was wrong, without storing a flood's worth of bytes. */
const MAX_STORED_PAYLOAD = 1024;

export class DeadLetterStore {
  private readonly insert;
  private readonly trim;
  private count: number;
  private pending: Array<[number, string, string, string, string, string, string]> = [];
  private readonly writeBatch;

  constructor(
    private readonly db: Db,
    private readonly max: number,
  ) {
    this.insert = db.prepare(
      'INSERT INTO dead_letters (ts, device, client, topic, reason, detail, payload) VALUES (?, ?, ?, ?, ?, ?, ?)',
    );
    // Deletes the oldest rows beyond the newest `max`.
    this.trim = db.prepare(
      'DELETE FROM dead_letters WHERE id <= (SELECT id FROM dead_letters ORDER BY id DESC LIMIT 1 OFFSET ?)',
    );
    this.trim.run(max);
    this.count = (db.prepare('SELECT COUNT(*) AS n FROM dead_letters').get() as { n: number }).n;
    this.writeBatch = db.transaction((rows: typeof this.pending) => {
      for (const row of rows) this.insert.run(...row);
      this.count += rows.length;
      if (this.count > this.max) {
        this.trim.run(this.max);
        this.count = this.max;
      }
    });
  }

  add(letter: Omit<DeadLetter, 'id' | 'payload'> & { payload: Uint8Array | string }): void {
    const text =
      typeof letter.payload === 'string'
        ? letter.payload
        : Buffer.from(letter.payload).toString('utf8');
    this.pending.push([
      letter.ts,
      letter.device,
      letter.client,
      letter.topic.slice(0, 256),
      letter.reason,
      letter.detail.slice(0, 1024),
      text.length > MAX_STORED_PAYLOAD
        ? `${text.slice(0, MAX_STORED_PAYLOAD)}…(${text.length} chars)`
        : text,
    ]);
    if (this.pending.length === 1) setImmediate(() => this.flush());
  }

  /** Writes the letters waiting (also before a read, so a list is never behind). */
  flush(): void {
    if (this.pending.length === 0) return;
    // Rejected after the store closed (the gateway is stopping): there is nowhere to keep them.
    if (!this.db.open) {
      this.pending = [];
      return;
    }
    const rows = this.pending;
    this.pending = [];
    this.writeBatch(rows);
  }

  list(options: { device?: string; reason?: string; limit?: number } = {}): DeadLetter[] {
    this.flush();
    return listDeadLetters(this.db, options);
  }
}

export function listDeadLetters(
  db: Db,
  options: { device?: string; reason?: string; limit?: number } = {},
): DeadLetter[] {
  const where: string[] = [];
  const args: unknown[] = [];
  if (options.device) {
    where.push('device = ?');
    args.push(options.device);
  }
  if (options.reason) {
    where.push('reason = ?');
    args.push(options.reason);
  }
  const sql = `SELECT * FROM dead_letters ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY id DESC LIMIT ?`;
  return db.prepare(sql).all(...args, options.limit ?? 100) as DeadLetter[];
}
