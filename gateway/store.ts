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
CREATE TABLE IF NOT EXISTS outbox (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  device TEXT NOT NULL,
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

export function openDatabase(
  dataDir: string,
  options: { synchronous: 'FULL' | 'NORMAL'; readonly?: boolean } = { synchronous: 'FULL' },
): Db {
  mkdirSync(dataDir, { recursive: true });
  const db = new Database(databasePath(dataDir), { readonly: options.readonly ?? false });
  if (!options.readonly) {
    db.pragma('journal_mode = WAL');
    db.pragma(`synchronous = ${options.synchronous}`);
    db.exec(SCHEMA);
  }
  // Another process (the CLI) may hold a write lock for a moment.
  db.pragma('busy_timeout = 5000');
  return db;
}
