import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import type { ForwardedTelemetry } from '../../contract/index.js';
import { DeadLetterStore } from '../../gateway/dead-letters.js';
import { SeqWindow } from '../../gateway/dedupe.js';
import { Outbox, OutboxFullError, type OutboxRow } from '../../gateway/outbox.js';
import { RecentRows } from '../../gateway/recent-rows.js';
import { openDatabase } from '../../gateway/store.js';
import { tempDir } from './gateway-helpers.js';

const test = suite('outbox: durable, batched, bounded; dedupe window');

function item(device: string, seq: number): ForwardedTelemetry {
  return { device, boot: 1, seq, ts: seq, rx: seq, readings: { temp: 20 } };
}

/** The seqs of rows read, as the forwarder sends them: `[` + bodies + `]`. */
function seqs(rows: OutboxRow[]): number[] {
  const items = JSON.parse(`[${rows.map((r) => r.body).join(',')}]`) as ForwardedTelemetry[];
  return items.map((i) => i.seq);
}

function range(from: number, to: number): number[] {
  return Array.from({ length: to - from + 1 }, (_, i) => from + i);
}

test('appends commit in batches, survive reopening, and leave only when acknowledged', async () => {
  const dir = tempDir();
  try {
    let commits = 0;
    const db = openDatabase(dir.path);
    const outbox = new Outbox(db, {
      budgetBytes: 1e9,
      policy: 'drop-oldest',
      maxBatch: 1000,
      onCommit: () => commits++,
    });
    await Promise.all(Array.from({ length: 50 }, (_, i) => outbox.append(item('a', i + 1))));
    assert.is(commits, 1, 'fifty appends in one turn share one transaction');
    assert.is(outbox.depth(), 50);
    const count = db.prepare('SELECT COUNT(*) AS n FROM outbox_rows').get() as { n: number };
    assert.is(count.n, 1, 'and one row');
    // Ten more, one turn each: ten rows of one reading.
    for (let i = 51; i <= 60; i++) await outbox.append(item('a', i));
    assert.is(commits, 11);
    outbox.close(); // as the gateway does when it stops: the dedupe floor is written too
    db.close();
    const again = new Outbox(openDatabase(dir.path), {
      budgetBytes: 1e9,
      policy: 'drop-oldest',
      maxBatch: 1000,
    });
    assert.is(again.depth(), 60, 'still there after a reopen');
    assert.equal(again.lastSeen().get('a'), { boot: 1, seq: 60 });
    // A read takes whole rows up to the readings asked, and at least one row.
    assert.equal(seqs(again.readAfter(0, 10)), range(1, 50), 'a row larger than asked comes whole');
    const rows = again.readAfter(0, 55);
    assert.equal(seqs(rows), range(1, 55));
    const bytes = rows.reduce((n, r) => n + r.body.length, 0);
    const before = again.sizeBytes();
    again.acknowledge(rows[0]!.id, rows.at(-1)!.id, {
      readings: 55,
      bytes,
      epoch: again.epoch(),
    });
    assert.is(again.depth(), 5);
    assert.is(again.sizeBytes(), before - bytes);
    assert.equal(seqs(again.readAfter(0, 1)), [56]);
    assert.equal(seqs(again.readAfter(rows.at(-1)!.id, 100)), range(56, 60));
  } finally {
    dir.remove();
  }
});

test('reads stop at a row that does not fit, and the next read starts with it', async () => {
  const dir = tempDir();
  try {
    const outbox = new Outbox(openDatabase(dir.path), {
      budgetBytes: 1e9,
      policy: 'drop-oldest',
      maxBatch: 1000,
    });
    for (const first of [1, 4, 7]) {
      await Promise.all([0, 1, 2].map((i) => outbox.append(item('a', first + i))));
    }
    const one = outbox.readAfter(0, 4);
    assert.equal(seqs(one), [1, 2, 3]);
    const two = outbox.readAfter(one[0]!.id, 4);
    assert.equal(seqs(two), [4, 5, 6]);
    assert.equal(seqs(outbox.readAfter(two[0]!.id, 10)), [7, 8, 9]);
    assert.equal(seqs(outbox.readAfter(0, 100)), range(1, 9), 'from elsewhere: read afresh');
    outbox.close();
  } finally {
    dir.remove();
  }
});

test('recent rows: served from memory while complete, from disk once evicted or read past', () => {
  const row = (id: number, n = 1): OutboxRow => ({ id, n, rx: id, body: 'x'.repeat(10) });
  const recent = new RecentRows(1, 35); // room for three rows of 10 bytes
  for (let id = 1; id <= 4; id++) recent.add(row(id));
  assert.is(recent.take(0, 10), undefined, 'row 1 was evicted: the disk must answer');
  assert.equal(
    recent.take(1, 1)?.map((r) => r.id),
    [2],
  );
  assert.equal(
    recent.take(2, 10)?.map((r) => r.id),
    [3, 4],
  );
  assert.equal(recent.take(4, 10), [], 'nothing durable after 4');
  assert.is(recent.take(2, 10), undefined, 'read past: the disk must answer');
  recent.add(row(5, 3));
  recent.add(row(6, 3));
  assert.equal(
    recent.take(4, 4)?.map((r) => r.id),
    [5],
    'whole rows, at least one',
  );
  recent.reset(10);
  assert.is(recent.take(5, 10), undefined, 'after a reset, older reads go to disk');
});

test('drop-oldest keeps within the budget and counts what it dropped', async () => {
  const dir = tempDir();
  try {
    let dropped = 0;
    const size = JSON.stringify(item('a', 100)).length;
    const outbox = new Outbox(openDatabase(dir.path), {
      budgetBytes: size * 10,
      policy: 'drop-oldest',
      maxBatch: 5,
      onBudget: (_p, n) => {
        dropped += n;
      },
    });
    for (let i = 100; i < 130; i++) await outbox.append(item('a', i));
    assert.ok(outbox.sizeBytes() <= size * 10);
    assert.is(outbox.depth() + dropped, 30, 'every reading is either kept or counted as dropped');
    assert.is(seqs(outbox.readAfter(0, 100)).at(-1), 129, 'the newest are kept');
  } finally {
    dir.remove();
  }
});

test('reject-new refuses past the budget, counted, and accepts again once drained', async () => {
  const dir = tempDir();
  try {
    let refused = 0;
    const size = JSON.stringify(item('a', 100)).length;
    const outbox = new Outbox(openDatabase(dir.path), {
      budgetBytes: size * 3,
      policy: 'reject-new',
      maxBatch: 100,
      onBudget: (_p, n) => {
        refused += n;
      },
    });
    for (let i = 100; i < 103; i++) await outbox.append(item('a', i));
    const error = await outbox.append(item('a', 103)).catch((e: Error) => e);
    assert.instance(error, OutboxFullError);
    assert.is(refused, 1);
    const rows = outbox.readAfter(0, 3);
    outbox.acknowledge(rows[0]!.id, rows[2]!.id);
    await outbox.append(item('a', 103));
    assert.is(outbox.depth(), 1);
  } finally {
    dir.remove();
  }
});

test('afterPending answers in append order, after the writes before it', async () => {
  const dir = tempDir();
  try {
    const outbox = new Outbox(openDatabase(dir.path), {
      budgetBytes: 1e9,
      policy: 'drop-oldest',
      maxBatch: 1000,
    });
    const order: string[] = [];
    outbox.afterPending(() => order.push('nothing waited'));
    outbox.add(item('a', 1), () => order.push('1 on disk'));
    outbox.afterPending(() => order.push('after 1'));
    outbox.add(item('a', 2), () => order.push('2 on disk'));
    assert.equal(order, ['nothing waited'], 'nothing is answered before the commit');
    await new Promise((r) => setImmediate(r));
    assert.equal(order, ['nothing waited', '1 on disk', 'after 1', '2 on disk']);
    outbox.close();
  } finally {
    dir.remove();
  }
});

test('a database from the one-reading-per-row outbox keeps its readings, in order', () => {
  const dir = tempDir();
  try {
    const old = openDatabase(dir.path);
    old.exec(
      'CREATE TABLE outbox (id INTEGER PRIMARY KEY AUTOINCREMENT, device TEXT NOT NULL, rx INTEGER NOT NULL, body TEXT NOT NULL)',
    );
    const insert = old.prepare('INSERT INTO outbox (device, rx, body) VALUES (?, ?, ?)');
    for (let seq = 1; seq <= 3; seq++) insert.run('a', seq, JSON.stringify(item('a', seq)));
    old.close();
    const outbox = new Outbox(openDatabase(dir.path), {
      budgetBytes: 1e9,
      policy: 'drop-oldest',
      maxBatch: 1000,
    });
    assert.is(outbox.depth(), 3);
    assert.equal(seqs(outbox.readAfter(0, 10)), [1, 2, 3]);
    assert.is(outbox.oldestRx(), 1);
  } finally {
    dir.remove();
  }
});

test('SeqWindow: duplicates by (boot, seq), a new boot starts afresh, seeded after a restart', () => {
  const w = new SeqWindow(64);
  assert.not.ok(w.isDuplicate(1, 1));
  assert.not.ok(w.isDuplicate(1, 2));
  assert.ok(w.isDuplicate(1, 1));
  assert.not.ok(w.isDuplicate(1, 10));
  assert.not.ok(w.isDuplicate(1, 5), 'a gap filled late (a replay) is not a duplicate');
  assert.ok(w.isDuplicate(1, 5));
  assert.not.ok(w.isDuplicate(2, 1), 'a new boot');
  assert.not.ok(w.isDuplicate(2, 200));
  assert.not.ok(w.isDuplicate(2, 100), 'older than the window: let through (at-least-once)');
  w.forget(2, 200);
  assert.not.ok(w.isDuplicate(2, 200), 'forgotten (not stored after all): its resend is new');
  const seeded = new SeqWindow(64);
  seeded.seed(3, 40);
  assert.ok(seeded.isDuplicate(3, 40));
  assert.ok(seeded.isDuplicate(3, 39));
  assert.not.ok(seeded.isDuplicate(3, 41));
});

test('the dead-letter store keeps the newest `max` letters', () => {
  const dir = tempDir();
  const db = openDatabase(dir.path);
  try {
    const store = new DeadLetterStore(db, 5);
    for (let i = 0; i < 12; i++) {
      store.add({
        ts: i,
        device: 'd',
        client: 'd',
        topic: 't',
        reason: 'schema',
        detail: `n${i}`,
        payload: 'x',
      });
    }
    assert.equal(
      store.list({ limit: 100 }).map((l) => l.detail),
      ['n11', 'n10', 'n9', 'n8', 'n7'],
    );
  } finally {
    db.close();
    dir.remove();
  }
});

test.run();
