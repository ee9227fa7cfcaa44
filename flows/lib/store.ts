/**
 * Readings in SQLite (better-sqlite3): raw rows kept for a retention period, and one-minute
 * rollups (count, sum, min, max) kept longer, so a chart over months reads rollups instead of
 * millions of rows. Duplicates from the at-least-once path are dropped by (device, boot, seq,
 * sensor); booleans are stored as 0 and 1.
 */
import Database from 'better-sqlite3';
import type { ForwardedTelemetry, ReadingValue } from '../../contract/index.js';

export const ROLLUP_MS = 60_000;
export const MAX_POINTS = 10_000;

export interface RetentionOptions {
  /** Raw readings older than this are deleted (default 7 days). */
  rawMs: number;
  /** One-minute rollups older than this are deleted (default 365 days). */
  rollupMs: number;
}

export const DEFAULT_RETENTION: RetentionOptions = {
  rawMs: 7 * 24 * 3600_000,
  rollupMs: 365 * 24 * 3600_000,
};

/** A sensor's newest stored reading; `rx` is when the gateway last heard the device. */
export interface StoredReading {
  device: string;
  sensor: string;
  ts: number;
  value: ReadingValue;
  rx: number;
}

export interface ReadingsQuery {
  device: string;
  sensor?: string;
  from: number;
  to: number;
  /** Bucket width in ms; absent or 0 for raw points. */
  step?: number;
}

export interface Point {
  ts: number;
  value: number;
  min?: number;
  max?: number;
  count?: number;
}

export interface ReadingsResult {
  device: string;
  from: number;
  to: number;
  step: number;
  source: 'raw' | 'rollup';
  series: Record<string, Point[]>;
  truncated: boolean;
}

// better-sqlite3 binds JS numbers as REAL, so bucket arithmetic casts the step to INTEGER to get
// integer division.
const SCHEMA = `
CREATE TABLE IF NOT EXISTS readings (
  device TEXT NOT NULL, sensor TEXT NOT NULL, ts INTEGER NOT NULL, value REAL NOT NULL,
  boot INTEGER NOT NULL, seq INTEGER NOT NULL,
  PRIMARY KEY (device, boot, seq, sensor)
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS readings_by_time ON readings (device, sensor, ts);
CREATE TABLE IF NOT EXISTS rollup_1m (
  device TEXT NOT NULL, sensor TEXT NOT NULL, bucket INTEGER NOT NULL,
  count INTEGER NOT NULL, sum REAL NOT NULL, min REAL NOT NULL, max REAL NOT NULL,
  PRIMARY KEY (device, sensor, bucket)
) WITHOUT ROWID;
-- The newest reading per sensor as JSON (booleans stay booleans) and when the device was last
-- heard, so that the fleet view has them at once after a restart.
CREATE TABLE IF NOT EXISTS latest (
  device TEXT NOT NULL, sensor TEXT NOT NULL, ts INTEGER NOT NULL, value TEXT NOT NULL,
  rx INTEGER NOT NULL,
  PRIMARY KEY (device, sensor)
) WITHOUT ROWID;
`;

export class ReadingStore {
  private readonly db: Database.Database;
  private readonly insertRaw: Database.Statement;
  private readonly upsertRollup: Database.Statement;
  private readonly upsertLatest: Database.Statement;
  private readonly insertBatch: (items: readonly ForwardedTelemetry[]) => number;

  constructor(
    readonly file: string,
    readonly retention: RetentionOptions = DEFAULT_RETENTION,
  ) {
    this.db = new Database(file);
    this.db.pragma('journal_mode = WAL');
    this.db.pragma('synchronous = NORMAL');
    this.db.exec(SCHEMA);
    this.insertRaw = this.db.prepare(
      'INSERT OR IGNORE INTO readings (device, sensor, ts, value, boot, seq) VALUES (?, ?, ?, ?, ?, ?)',
    );
    this.upsertRollup = this.db.prepare(
      `INSERT INTO rollup_1m (device, sensor, bucket, count, sum, min, max) VALUES (?, ?, ?, 1, ?, ?, ?)
       ON CONFLICT (device, sensor, bucket) DO UPDATE SET count = count + 1, sum = sum + excluded.sum,
       min = min(min, excluded.min), max = max(max, excluded.max)`,
    );
    // In an UPDATE every right-hand side reads the old row, so ts and value move together.
    this.upsertLatest = this.db.prepare(
      `INSERT INTO latest (device, sensor, ts, value, rx) VALUES (?, ?, ?, ?, ?)
       ON CONFLICT (device, sensor) DO UPDATE SET rx = max(rx, excluded.rx),
       ts = CASE WHEN excluded.ts >= ts THEN excluded.ts ELSE ts END,
       value = CASE WHEN excluded.ts >= ts THEN excluded.value ELSE value END`,
    );
    this.backfillLatest();
    this.insertBatch = this.db.transaction((items: readonly ForwardedTelemetry[]) => {
      let stored = 0;
      for (const item of items) {
        for (const [sensor, raw] of Object.entries(item.readings)) {
          const value = typeof raw === 'boolean' ? Number(raw) : raw;
          const result = this.insertRaw.run(
            item.device,
            sensor,
            item.ts,
            value,
            item.boot,
            item.seq,
          );
          if (result.changes === 0) continue;
          stored += 1;
          const bucket = Math.floor(item.ts / ROLLUP_MS) * ROLLUP_MS;
          this.upsertRollup.run(item.device, sensor, bucket, value, value, value);
          this.upsertLatest.run(
            item.device,
            sensor,
            item.ts,
            JSON.stringify(raw),
            item.rx ?? item.ts,
          );
        }
      }
      return stored;
    });
  }

  /** Stores every reading of every item; returns how many were new (duplicates are skipped). */
  insert(items: readonly ForwardedTelemetry[]): number {
    return this.insertBatch(items);
  }

  query(q: ReadingsQuery, now = Date.now()): ReadingsResult {
    const step = q.step ?? 0;
    const rawFrom = now - this.retention.rawMs;
    const useRollup = step >= ROLLUP_MS && q.from < rawFrom;
    const sensorClause = q.sensor === undefined ? '' : ' AND sensor = @sensor';
    const params = {
      device: q.device,
      sensor: q.sensor,
      from: q.from,
      to: q.to,
      step,
      limit: MAX_POINTS + 1,
    };
    let rows: Array<{
      sensor: string;
      ts: number;
      value: number;
      min?: number;
      max?: number;
      count?: number;
    }>;
    if (step === 0) {
      rows = this.db
        .prepare(
          `SELECT sensor, ts, value FROM readings WHERE device = @device${sensorClause}
           AND ts >= @from AND ts <= @to ORDER BY sensor, ts LIMIT @limit`,
        )
        .all(params) as typeof rows;
    } else if (useRollup) {
      rows = this.db
        .prepare(
          `SELECT sensor, (bucket / CAST(@step AS INTEGER)) * CAST(@step AS INTEGER) AS ts, sum(sum) / sum(count) AS value,
           min(min) AS min, max(max) AS max, sum(count) AS count FROM rollup_1m
           WHERE device = @device${sensorClause} AND bucket >= @from AND bucket <= @to
           GROUP BY sensor, ts ORDER BY sensor, ts LIMIT @limit`,
        )
        .all(params) as typeof rows;
    } else {
      rows = this.db
        .prepare(
          `SELECT sensor, (ts / CAST(@step AS INTEGER)) * CAST(@step AS INTEGER) AS ts, avg(value) AS value, min(value) AS min,
           max(value) AS max, count(*) AS count FROM readings
           WHERE device = @device${sensorClause} AND ts >= @from AND ts <= @to
           GROUP BY sensor, (ts / CAST(@step AS INTEGER)) ORDER BY sensor, ts LIMIT @limit`,
        )
        .all(params) as typeof rows;
    }
    const truncated = rows.length > MAX_POINTS;
    const series: Record<string, Point[]> = {};
    for (const row of rows.slice(0, MAX_POINTS)) {
      const point: Point = { ts: row.ts, value: row.value };
      if (row.count !== undefined)
        Object.assign(point, { min: row.min, max: row.max, count: row.count });
      const list = series[row.sensor] ?? [];
      list.push(point);
      series[row.sensor] = list;
    }
    return {
      device: q.device,
      from: q.from,
      to: q.to,
      step,
      source: useRollup ? 'rollup' : 'raw',
      series,
      truncated,
    };
  }

  /** Devices that have stored readings. */
  devices(): string[] {
    return (
      this.db.prepare('SELECT DISTINCT device FROM readings ORDER BY device').all() as Array<{
        device: string;
      }>
    ).map((r) => r.device);
  }

  /** The newest stored reading of every device's every sensor, with when it was last heard. */
  latest(): StoredReading[] {
    const rows = this.db
      .prepare('SELECT device, sensor, ts, value, rx FROM latest ORDER BY device, sensor')
      .all() as Array<{ device: string; sensor: string; ts: number; value: string; rx: number }>;
    return rows.map((r) => ({ ...r, value: JSON.parse(r.value) as ReadingValue }));
  }

  /**
   * A database from before the `latest` table gets it from the raw readings once (booleans
   * come back as 0/1 there). SQLite takes a bare column of a max() query from the max row.
   */
  private backfillLatest(): void {
    if (this.db.prepare('SELECT 1 FROM latest LIMIT 1').get()) return;
    this.db.exec(
      `INSERT OR IGNORE INTO latest (device, sensor, ts, value, rx)
       SELECT device, sensor, max(ts), CAST(value AS TEXT), max(ts) FROM readings GROUP BY device, sensor`,
    );
  }

  /** Sensor ids with stored readings for one device. */
  sensors(device: string): string[] {
    return (
      this.db
        .prepare('SELECT DISTINCT sensor FROM readings WHERE device = ? ORDER BY sensor')
        .all(device) as Array<{ sensor: string }>
    ).map((r) => r.sensor);
  }

  /** Deletes what is past retention; returns the rows removed from each table. */
  prune(now = Date.now()): { raw: number; rollup: number } {
    const raw = this.db
      .prepare('DELETE FROM readings WHERE ts < ?')
      .run(now - this.retention.rawMs).changes;
    const rollup = this.db
      .prepare('DELETE FROM rollup_1m WHERE bucket < ?')
      .run(now - this.retention.rollupMs).changes;
    return { raw, rollup };
  }

  count(): { raw: number; rollup: number } {
    const raw = (this.db.prepare('SELECT count(*) AS n FROM readings').get() as { n: number }).n;
    const rollup = (this.db.prepare('SELECT count(*) AS n FROM rollup_1m').get() as { n: number })
      .n;
    return { raw, rollup };
  }

  close(): void {
    this.db.close();
  }
}
