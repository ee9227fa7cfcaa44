/**
 * Alert events kept in SQLite, beside the readings (same database file, its own table), so
 * that a Node-RED restart neither forgets an alert that is still raised (it would never be
 * cleared, or be raised a second time) nor empties the dashboard's list of recent events.
 * Bounded: only the newest `keep` events stay.
 */
import Database from 'better-sqlite3';
import type { ActiveAlert, AlertEvent } from './alerts.js';

export const KEEP_ALERT_EVENTS = 10_000;

const SCHEMA = `
CREATE TABLE IF NOT EXISTS alert_events (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  key TEXT NOT NULL, state TEXT NOT NULL, event TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS alert_events_by_key ON alert_events (key, id);
`;

export class AlertLog {
  private readonly db: Database.Database;
  private readonly insert: Database.Statement;
  private readonly prune: Database.Statement;

  constructor(
    readonly file: string,
    private readonly keep = KEEP_ALERT_EVENTS,
  ) {
    this.db = new Database(file);
    this.db.pragma('journal_mode = WAL');
    this.db.pragma('synchronous = NORMAL');
    this.db.exec(SCHEMA);
    this.insert = this.db.prepare('INSERT INTO alert_events (key, state, event) VALUES (?, ?, ?)');
    this.prune = this.db.prepare(
      'DELETE FROM alert_events WHERE id <= (SELECT MAX(id) FROM alert_events) - ?',
    );
  }

  /** Appends events in the order they happened, in one transaction. */
  record(events: readonly AlertEvent[]): void {
    this.db.transaction(() => {
      for (const event of events) this.insert.run(event.key, event.state, JSON.stringify(event));
      this.prune.run(this.keep);
    })();
  }

  /** The newest `max` events, newest first. */
  recent(max: number): AlertEvent[] {
    const rows = this.db
      .prepare('SELECT event FROM alert_events ORDER BY id DESC LIMIT ?')
      .all(max) as Array<{ event: string }>;
    return rows.map((row) => JSON.parse(row.event) as AlertEvent);
  }

  /** Alerts whose latest event is a raise: still active when the log was last written. */
  active(): ActiveAlert[] {
    const rows = this.db
      .prepare(
        `SELECT event FROM alert_events AS e
         WHERE id = (SELECT MAX(id) FROM alert_events WHERE key = e.key) AND state = 'raised'`,
      )
      .all() as Array<{ event: string }>;
    return rows.map((row) => JSON.parse(row.event) as ActiveAlert);
  }

  close(): void {
    this.db.close();
  }
}
