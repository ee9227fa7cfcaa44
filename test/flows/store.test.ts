/** ReadingStore: dedupe, queries by sensor/range/step, rollups past raw retention, pruning. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { ReadingStore, ROLLUP_MS } from '../../flows/lib/store.js';
import { reading } from './upstream-fixtures.js';

const HOUR = 3600_000;
const DAY = 24 * HOUR;

test('stores each reading once, booleans as 0/1, and lists devices', () => {
  const store = new ReadingStore(':memory:');
  const item = reading('a', { t: 21.5, door: true }, 1000);
  assert.is(store.insert([item, item]), 2);
  assert.is(store.insert([item]), 0);
  const result = store.query({ device: 'a', from: 0, to: 2000 }, 2000);
  assert.equal(result.series, { door: [{ ts: 1000, value: 1 }], t: [{ ts: 1000, value: 21.5 }] });
  assert.equal(store.devices(), ['a']);
  store.close();
});

test('latest: the newest reading per sensor (booleans kept) and last heard; sensors per device', () => {
  const store = new ReadingStore(':memory:');
  store.insert([reading('a', { t: 21.5, door: true }, 2000)]);
  store.insert([{ ...reading('a', { t: 10 }, 1000), rx: 3000 }]);
  store.insert([reading('b', { t: 5 }, 1500)]);
  assert.equal(store.latest(), [
    { device: 'a', sensor: 'door', ts: 2000, value: true, rx: 2000 },
    { device: 'a', sensor: 't', ts: 2000, value: 21.5, rx: 3000 },
    { device: 'b', sensor: 't', ts: 1500, value: 5, rx: 1500 },
  ]);
  assert.equal(store.sensors('a'), ['door', 't']);
  assert.equal(store.sensors('nobody'), []);
  store.close();
});

test('latest is filled from the raw readings of a database made before it existed', () => {
  const dir = mkdtempSync(join(tmpdir(), 'fs-store-'));
  try {
    const file = join(dir, 'readings.db');
    const old = new ReadingStore(file);
    old.insert([reading('a', { t: 20 }, 1000), reading('a', { t: 21 }, 2000)]);
    old.close();
    const db = new Database(file);
    db.exec('DELETE FROM latest');
    db.close();
    const reopened = new ReadingStore(file);
    assert.equal(reopened.latest(), [{ device: 'a', sensor: 't', ts: 2000, value: 21, rx: 2000 }]);
    reopened.close();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('steps bucket the raw readings (average, min, max, count); sensor and range filter', () => {
  const store = new ReadingStore(':memory:');
  store.insert([0, 1, 2, 3, 4, 5].map((i) => reading('a', { t: i, u: 100 }, 60_000 + i * 10_000)));
  const result = store.query(
    { device: 'a', sensor: 't', from: 60_000, to: 120_000, step: 30_000 },
    120_000,
  );
  assert.equal(result.series.t, [
    { ts: 60_000, value: 1, min: 0, max: 2, count: 3 },
    { ts: 90_000, value: 4, min: 3, max: 5, count: 3 },
  ]);
  assert.equal(Object.keys(result.series), ['t']);
  assert.is(store.query({ device: 'a', from: 75_000, to: 95_000 }, 120_000).series.t?.length, 2);
  store.close();
});

test('past raw retention, minute-or-longer steps read the one-minute rollups', () => {
  const store = new ReadingStore(':memory:', { rawMs: DAY, rollupMs: 30 * DAY });
  const now = 10 * DAY;
  const old = now - 3 * DAY;
  store.insert([0, 1, 2, 3].map((i) => reading('a', { t: 10 + i }, old + i * 15_000)));
  store.insert([reading('a', { t: 99 }, now - HOUR)]);
  assert.equal(store.prune(now), { raw: 4, rollup: 0 });
  const result = store.query({ device: 'a', from: old - HOUR, to: now, step: ROLLUP_MS }, now);
  assert.is(result.source, 'rollup');
  assert.equal(result.series.t?.[0], { ts: old, value: 11.5, min: 10, max: 13, count: 4 });
  const raw = store.query({ device: 'a', from: old - HOUR, to: now }, now);
  assert.equal(
    raw.series.t?.map((p) => p.value),
    [99],
  );
  store.close();
});

test('prune removes rollups past their own retention', () => {
  const store = new ReadingStore(':memory:', { rawMs: DAY, rollupMs: 2 * DAY });
  store.insert([reading('a', { t: 1 }, 0)]);
  assert.equal(store.prune(3 * DAY), { raw: 1, rollup: 1 });
  assert.equal(store.count(), { raw: 0, rollup: 0 });
  store.close();
});

test.run();
