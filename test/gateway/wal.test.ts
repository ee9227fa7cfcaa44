import { statSync } from 'node:fs';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import type { ForwardedTelemetry } from '../../contract/index.js';
import { Checkpointer, walBytes } from '../../gateway/checkpointer.js';
import { Outbox, type OutboxOptions } from '../../gateway/outbox.js';
import { databasePath, openDatabase } from '../../gateway/store.js';
import { WalSync } from '../../gateway/wal-sync.js';
import { silentLogger } from '../../lib/log.js';
import { tempDir, waitFor } from './gateway-helpers.js';

const test = suite('outbox on disk: the WAL synced off the event loop, checkpoints in a worker');

function item(seq: number, pad = ''): ForwardedTelemetry {
  return {
    device: 'a',
    boot: 1,
    seq,
    ts: seq,
    rx: seq,
    readings: { temp: 20 },
    ...(pad ? { pad } : {}),
  } as ForwardedTelemetry;
}

/** The gateway's outbox setup on `dir`: its own connection with synchronous OFF, the WAL synced. */
function syncedOutbox(
  dir: string,
  sync: ConstructorParameters<typeof WalSync>[1],
  options: Partial<OutboxOptions> = {},
) {
  const db = openDatabase(dir, { synchronous: 'OFF', autoCheckpoint: false });
  const walSync = new WalSync(`${databasePath(dir)}-wal`, sync);
  const outbox = new Outbox(db, {
    budgetBytes: 1e9,
    policy: 'drop-oldest',
    maxBatch: 1000,
    walSync,
    ...options,
  });
  return { db, outbox };
}

test('with WalSync, appends are answered only after the sync, in order, and are on disk; forwarding need not wait', async () => {
  const dir = tempDir();
  try {
    let commits = 0;
    const { db, outbox } = syncedOutbox(dir.path, {}, { onCommit: () => commits++ });
    const order: string[] = [];
    outbox.add(item(1), (e) => order.push(e ? `1 failed: ${e.message}` : '1'));
    outbox.afterPending(() => order.push('after 1'));
    outbox.add(item(2), (e) => order.push(e ? `2 failed: ${e.message}` : '2'));
    outbox.flush();
    assert.equal(order, [], 'committed, but nothing is answered before the sync');
    // Upstream may have the rows at once: the sync gates the devices' PUBACKs, not forwarding.
    assert.is(commits, 1, 'the forwarder is woken at the commit');
    assert.equal(
      outbox.readAfter(0, 10).map((r) => r.n),
      [2],
      'the committed row is readable before its sync',
    );
    await waitFor(() => order.length === 3, 5000, 'the sync');
    assert.equal(order, ['1', 'after 1', '2']);
    assert.is(commits, 1, 'a sync wakes no one again');
    // A commit while nothing syncs, then close: close syncs on the spot and answers it.
    let last = '';
    outbox.add(item(3), (e) => {
      last = e ? e.message : 'on disk';
    });
    outbox.close();
    await waitFor(() => last !== '', 5000, 'the last answer');
    assert.is(last, 'on disk');
    db.close();
    const again = new Outbox(openDatabase(dir.path), {
      budgetBytes: 1e9,
      policy: 'drop-oldest',
      maxBatch: 1000,
    });
    assert.is(again.depth(), 3, 'every answered reading is in the database');
  } finally {
    dir.remove();
  }
});

test('under a sustained load syncs are spaced by minIntervalMs, and what waits shares one', async () => {
  const dir = tempDir();
  try {
    let syncs = 0;
    const { db, outbox } = syncedOutbox(dir.path, { minIntervalMs: 150, observe: () => syncs++ });
    const t0 = Date.now();
    await outbox.append(item(1)); // after an idle spell: synced at once
    // Three more, one after another and all together: they wait for one spaced sync.
    await Promise.all([outbox.append(item(2)), outbox.append(item(3)), outbox.append(item(4))]);
    await outbox.append(item(5));
    assert.ok(Date.now() - t0 >= 300, 'two more syncs, each at least 150 ms after the one before');
    assert.is(syncs, 3);
    outbox.close();
    db.close();
  } finally {
    dir.remove();
  }
});

test('under a steady stream of appends, syncs stay minIntervalMs apart (timers can fire early)', async () => {
  const dir = tempDir();
  try {
    let syncs = 0;
    const { db, outbox } = syncedOutbox(
      dir.path,
      { minIntervalMs: 10, observe: () => syncs++ },
      { maxBatch: 2000 },
    );
    let seq = 0;
    let answered = 0;
    const writer = setInterval(() => {
      for (let i = 0; i < 10; i++) outbox.add(item(seq++), () => answered++);
    }, 1);
    await new Promise((resolve) => setTimeout(resolve, 500));
    clearInterval(writer);
    await waitFor(() => answered === seq, 2000, 'the last sync');
    outbox.close();
    db.close();
    assert.ok(syncs >= 20, `${syncs} syncs: the appends were synced as they came`);
    // A timer runs against the loop's cached time: trusted blindly, it let most syncs start
    // early (about 170 in these 500 ms).
    assert.ok(syncs <= 55, `${syncs} syncs in 500 ms, at least 10 ms apart`);
  } finally {
    dir.remove();
  }
});

test('a group waits for a sync at most maxCommitWaitMs: upstream reads it while its PUBACK still waits', async () => {
  const dir = tempDir();
  try {
    let commits = 0;
    // Syncs at least 400 ms apart: after the first, the next one is due for a long while.
    const { db, outbox } = syncedOutbox(
      dir.path,
      { minIntervalMs: 400 },
      { maxCommitWaitMs: 30, onCommit: () => commits++ },
    );
    await outbox.append(item(1));
    const t0 = performance.now();
    let answeredAt = 0;
    outbox.add(item(2), () => {
      answeredAt = performance.now();
    });
    await waitFor(() => commits === 2, 2000, 'the second commit');
    const committedAfter = performance.now() - t0;
    assert.ok(
      committedAfter >= 25,
      `committed after ${committedAfter} ms: it waited for the sync first`,
    );
    assert.ok(
      committedAfter < 300,
      `committed after ${committedAfter} ms: it did not wait for the sync`,
    );
    assert.equal(
      outbox.readAfter(1, 10).map((r) => r.n),
      [1],
      'the second row is readable upstream',
    );
    assert.is(answeredAt, 0, 'its PUBACK still waits for the sync');
    await waitFor(() => answeredAt > 0, 2000, 'the sync');
    assert.ok(answeredAt - t0 >= 300, 'answered only after the spaced sync');
    outbox.close();
    db.close();
  } finally {
    dir.remove();
  }
});

test('the checkpointer copies the log into the database and keeps it bounded under steady writes', async () => {
  const dir = tempDir();
  const dbPath = databasePath(dir.path);
  const db = openDatabase(dir.path, { synchronous: 'OFF', autoCheckpoint: false });
  const insert = db.prepare('INSERT INTO outbox_rows (n, rx, body) VALUES (1, 0, ?)');
  const write = (mb: number) => {
    const body = 'x'.repeat(64 * 1024);
    for (let i = 0; i < mb * 16; i++) db.transaction(() => insert.run(body))();
  };
  const checkpointer = new Checkpointer({
    dbPath,
    intervalMs: 20,
    restartBytes: 4 * 1024 * 1024,
    log: silentLogger(),
  });
  try {
    await checkpointer.started();
    // 24 MB written in steps, as a gateway under load would, with the worker checkpointing.
    for (let step = 0; step < 12; step++) {
      write(2);
      await new Promise((r) => setTimeout(r, 30));
    }
    await waitFor(
      () => statSync(dbPath).size > 20 * 1024 * 1024,
      10_000,
      'the rows copied into the database file',
    );
    write(1); // a commit after a finished checkpoint starts the log over (and trims it)
    assert.ok(
      walBytes(dbPath) < 12 * 1024 * 1024,
      `the log stayed bounded (${walBytes(dbPath)} bytes) where 24 MB were written`,
    );
  } finally {
    await checkpointer.stop();
    db.close();
    dir.remove();
  }
});

test.run();
