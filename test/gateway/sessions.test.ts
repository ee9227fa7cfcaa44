import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { ackTopic, statusTopic, telemetryTopic } from '../../contract/index.js';
import { DeadLetterStore } from '../../gateway/dead-letters.js';
import { Ingest } from '../../gateway/ingest.js';
import { gatewayCounters, Metrics } from '../../gateway/metrics.js';
import { Outbox } from '../../gateway/outbox.js';
import { Presence } from '../../gateway/presence.js';
import { DeviceSessions } from '../../gateway/sessions.js';
import { openDatabase } from '../../gateway/store.js';
import { startDynamicSupervisor } from '../../gateway/supervisor/dynamic.js';
import { ManualClock } from '../../lib/clock.js';
import { silentLogger } from '../../lib/log.js';
import { birth, reading, tempDir } from './gateway-helpers.js';

const test = suite('device sessions: a handler that throws is restarted, no other device notices');

test('a crashing handler restarts its own session; past its intensity only that device is given up', async () => {
  const dir = tempDir();
  const clock = new ManualClock(1_000_000);
  const db = openDatabase(dir.path);
  try {
    const counters = gatewayCounters(new Metrics());
    const outbox = new Outbox(db, { budgetBytes: 1e9, policy: 'drop-oldest', maxBatch: 100 });
    const presence = new Presence(db, clock);
    const givenUp: string[] = [];
    let sessions: DeviceSessions | undefined;
    const supervisor = startDynamicSupervisor({
      id: 'devices',
      clock,
      intensity: { maxRestarts: 3, withinMs: 5000 },
      backoff: { minMs: 10, maxMs: 10, jitter: 0 },
      onGiveUp: (device) => {
        givenUp.push(device);
        sessions?.forget(device);
      },
    });
    sessions = new DeviceSessions(
      {
        clock,
        ingest: { ratePerSecond: 1000, burst: 1000, dedupeWindow: 64 },
        outbox,
        presence,
        // The command router's edge: acks from "bad" make it throw (a bug in a handler).
        onAck: (device) => {
          if (device === 'bad') throw new Error('ack handler bug');
        },
        onGoodbye: () => undefined,
        lastSeen: () => undefined,
      },
      supervisor,
      silentLogger(),
      (device) => counters.handlerCrashes.inc({ device }),
    );
    const ingest = new Ingest({
      clock,
      rate: { ratePerSecond: 1000, burst: 1000 },
      sessions,
      deadLetters: new DeadLetterStore(db, 100),
      counters,
      afterPending: (done) => outbox.afterPending(done),
    });
    const send = (device: string, topic: string, body: unknown) =>
      ingest.receive({ device, client: device, via: 'mqtt', topic, payload: JSON.stringify(body) });

    for (const id of ['good', 'bad']) assert.ok((await send(id, statusTopic(id), birth())).ok);
    const crash = await send('bad', ackTopic('bad'), { id: 'x', ok: true });
    assert.equal(crash.ok ? 'ok' : crash.reason, 'handler-crash');
    assert.is(supervisor.status().find((c) => c.id === 'bad')?.state, 'restarting');
    // Meanwhile the good device flows.
    assert.ok((await send('good', telemetryTopic('good'), reading(1))).ok);
    // A message for the bad device waits for its new session.
    const waiting = send('bad', telemetryTopic('bad'), reading(1));
    await clock.advanceAsync(10);
    assert.ok((await waiting).ok, 'served by the restarted session');
    assert.equal(
      supervisor.status().map((c) => [c.id, c.state, c.restarts]),
      [
        ['good', 'running', 0],
        ['bad', 'running', 1],
      ],
    );
    for (let i = 0; i < 3; i++) {
      await send('bad', ackTopic('bad'), { id: `x${i}`, ok: true });
      await clock.advanceAsync(10);
    }
    assert.equal(givenUp, ['bad'], 'past 3 restarts in 5 s that device alone is given up');
    assert.is(counters.handlerCrashes.get({ device: 'bad' }), 4);
    assert.ok((await send('good', telemetryTopic('good'), reading(2))).ok);
    // Its next message starts a fresh session (its connection was closed by then).
    assert.ok((await send('bad', telemetryTopic('bad'), reading(2))).ok);
    assert.is(outbox.depth(), 4);
    await supervisor.stop();
  } finally {
    db.close();
    dir.remove();
  }
});

test('a reading refused by a full outbox (reject-new) is no duplicate when the device sends it again', async () => {
  const dir = tempDir();
  const clock = new ManualClock(1_000_000);
  const db = openDatabase(dir.path);
  try {
    const counters = gatewayCounters(new Metrics());
    // Room for one reading only.
    const outbox = new Outbox(db, { budgetBytes: 150, policy: 'reject-new', maxBatch: 100 });
    const supervisor = startDynamicSupervisor({ id: 'devices', clock });
    const sessions = new DeviceSessions(
      {
        clock,
        ingest: { ratePerSecond: 1000, burst: 1000, dedupeWindow: 64 },
        outbox,
        presence: new Presence(db, clock),
        onAck: () => undefined,
        onGoodbye: () => undefined,
        lastSeen: () => undefined,
      },
      supervisor,
      silentLogger(),
      () => undefined,
    );
    const ingest = new Ingest({
      clock,
      rate: { ratePerSecond: 1000, burst: 1000 },
      sessions,
      deadLetters: new DeadLetterStore(db, 100),
      counters,
      afterPending: (done) => outbox.afterPending(done),
    });
    const send = (body: unknown, topic = telemetryTopic('d')) =>
      ingest.receive({
        device: 'd',
        client: 'd',
        via: 'mqtt',
        topic,
        payload: JSON.stringify(body),
      });
    assert.ok((await send(birth(), statusTopic('d'))).ok);
    assert.ok((await send(reading(1))).ok);
    const refused = await send(reading(2));
    assert.equal(refused.ok ? 'ok' : refused.reason, 'outbox-full');
    // Upstream takes the first; the device sends the refused one again.
    const rows = outbox.readAfter(0, 10);
    outbox.acknowledge(rows[0]!.id, rows[0]!.id);
    const again = await send(reading(2));
    assert.ok(again.ok && !again.duplicate, 'stored, not dropped as a duplicate');
    assert.is(outbox.depth(), 1);
    assert.is(counters.duplicates.total(), 0);
    await supervisor.stop();
  } finally {
    db.close();
    dir.remove();
  }
});

test.run();
