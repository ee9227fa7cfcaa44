/**
 * The gateway's one SQLite database (better-sqlite3, WAL): the outbox, the dead letters, the
 * last known presence and pending commands. WAL lets the forwarder read while ingest writes,
 * and makes each batched commit one sequential append.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';

export type Db = Database.Database;

const SCHEMA = `
CREATE TABLE IF NOT EXISTS outbox_rows (
  -- Ids come from the outbox (one more than the last), not AUTOINCREMENT: no sqlite_sequence
  -- page to write in every commit.
  id INTEGER PRIMARY KEY,
  n INTEGER NOT NULL,
  rx INTEGER NOT NULL,
  body TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS seen (
  device TEXT PRIMARY KEY,
  boot INTEGER NOT NULL,
  seq INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS dead_letters (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  ts INTEGER NOT NULL,
  device TEXT NOT NULL,
  client TEXT NOT NULL,
  topic TEXT NOT NULL,
  reason TEXT NOT NULL,
  detail TEXT NOT NULL,
  payload TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS presence (
  device TEXT PRIMARY KEY,
  entry TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS pending_commands (
  id TEXT NOT NULL,
  device TEXT NOT NULL,
  expires INTEGER NOT NULL,
  body TEXT NOT NULL,
  PRIMARY KEY (device, id)
);
CREATE TABLE IF NOT EXISTS actuator_state (
  device TEXT NOT NULL,
  actuator TEXT NOT NULL,
  value TEXT NOT NULL,
  PRIMARY KEY (device, actuator)
);
`;

export function databasePath(dataDir: string): string {
  return join(dataDir, 'gateway.sqlite');
}

export interface OpenOptions {
  /** OFF only for the outbox's own connection, which syncs the WAL itself (wal-sync.ts). */
  synchronous: 'FULL' | 'NORMAL' | 'OFF';
  readonly?: boolean;
  /** False when a Checkpointer runs the WAL checkpoints, off the event loop. */
  autoCheckpoint?: boolean;
}

export function openDatabase(dataDir: string, options: OpenOptions = { synchronous: 'FULL' }): Db {
  mkdirSync(dataDir, { recursive: true });
  const db = new Database(databasePath(dataDir), { readonly: options.readonly ?? false });
  if (!options.readonly) {
    db.pragma('journal_mode = WAL');
    db.pragma(`synchronous = ${options.synchronous}`);
    if (options.autoCheckpoint === false) db.pragma('wal_autocheckpoint = 0');
    // A log that grew under load shrinks back once a checkpoint lets it restart.
    db.pragma(`journal_size_limit = ${8 * 1024 * 1024}`);
    db.exec(SCHEMA);
    migrateOutbox(db);
  }
  // Another process (the CLI) may hold a write lock for a moment.
  db.pragma('busy_timeout = 5000');
  return db;
}

/**
 * Before outbox_rows (one row per commit group) the outbox kept one reading per row in
 * `outbox`. A database from then may still hold readings: they move over, in order, one
 * reading per row (a row of one item is still a valid group), and the old table goes.
 */
function migrateOutbox(db: Db): void {
  const old = db
    .prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'outbox'")
    .get();
  if (!old) return;
  db.transaction(() => {
    db.exec('INSERT INTO outbox_rows (n, rx, body) SELECT 1, rx, body FROM outbox ORDER BY id');
    db.exec('DROP TABLE outbox');
  })();
}
