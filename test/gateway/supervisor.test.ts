import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import {
  backoffDelay,
  type SupervisorEvent,
  startSupervisor,
} from '../../gateway/supervisor/index.js';
import { runAsTopLevel } from '../../gateway/supervisor/top.js';
import { ManualClock } from '../../lib/clock.js';
import { silentLogger } from '../../lib/log.js';
import { settle, testChild } from './supervisor-children.js';

const test = suite('supervisor');
const noJitter = () => 0.5;
const backoff = { minMs: 100, maxMs: 1000, jitter: 0.2 };

test('backoffDelay doubles from minMs, caps at maxMs, and jitters within ±jitter', () => {
  assert.equal(
    [0, 1, 2, 3, 4, 10].map((a) => backoffDelay(a, backoff, noJitter)),
    [100, 200, 400, 800, 1000, 1000],
  );
  assert.is(
    backoffDelay(0, backoff, () => 0),
    80,
  );
  assert.is(
    backoffDelay(1, backoff, () => 0.999999),
    240,
  );
  // Jitter never pushes past the cap.
  assert.is(
    backoffDelay(5, backoff, () => 0.999999),
    1000,
  );
  assert.is(
    backoffDelay(5, backoff, () => 0),
    800,
  );
});

test('one_for_one restarts only the crashed child, after the backoff delay', async () => {
  const clock = new ManualClock();
  const journal: string[] = [];
  const [a, b, c] = ['a', 'b', 'c'].map((id) => testChild(id, 'permanent', journal));
  const sup = await startSupervisor({
    id: 'root',
    strategy: 'one_for_one',
    children: [a!.spec, b!.spec, c!.spec],
    backoff,
    clock,
    random: noJitter,
  });
  assert.equal(journal, ['start a', 'start b', 'start c']);
  b!.crash();
  await settle();
  assert.is(sup.status()[1]?.state, 'restarting');
  clock.advance(99);
  await settle();
  assert.is(b!.starts, 1, 'not restarted before the 100 ms backoff');
  clock.advance(1);
  await settle();
  assert.equal(journal, ['start a', 'start b', 'start c', 'start b']);
  assert.equal(
    sup.status().map((s) => [s.id, s.state, s.restarts]),
    [
      ['a', 'running', 0],
      ['b', 'running', 1],
      ['c', 'running', 0],
    ],
  );
  // The second crash within the window backs off twice as long.
  b!.crash();
  await settle();
  clock.advance(199);
  await settle();
  assert.is(b!.starts, 2);
  clock.advance(1);
  await settle();
  assert.is(b!.starts, 3);
  await sup.stop();
  assert.equal(journal.slice(-3), ['stop c', 'stop b', 'stop a']);
  await sup.done;
});

test('rest_for_one stops later children in reverse and restarts them in order', async () => {
  const clock = new ManualClock();
  const journal: string[] = [];
  const [a, b, c] = ['a', 'b', 'c'].map((id) => testChild(id, 'permanent', journal));
  const sup = await startSupervisor({
    id: 'root',
    strategy: 'rest_for_one',
    children: [a!.spec, b!.spec, c!.spec],
    backoff,
    clock,
    random: noJitter,
  });
  journal.length = 0;
  b!.crash();
  await settle();
  assert.equal(journal, ['stop c']);
  clock.advance(100);
  await settle();
  assert.equal(journal, ['stop c', 'start b', 'start c']);
  assert.is(a!.starts, 1);
  await sup.stop();
});

test('restart policies: transient and temporary are left alone after a normal exit', async () => {
  const clock = new ManualClock();
  const journal: string[] = [];
  const perm = testChild('perm', 'permanent', journal);
  const trans = testChild('trans', 'transient', journal);
  const temp = testChild('temp', 'temporary', journal);
  const sup = await startSupervisor({
    id: 'root',
    strategy: 'one_for_one',
    children: [perm.spec, trans.spec, temp.spec],
    intensity: { maxRestarts: 10, withinMs: 5000 },
    backoff,
    clock,
    random: noJitter,
  });
  perm.exit();
  trans.exit();
  temp.crash();
  await settle();
  clock.advance(1000);
  await settle();
  assert.is(perm.starts, 2, 'permanent comes back even after a normal exit');
  assert.is(trans.starts, 1, 'transient stays down after a normal exit');
  assert.is(temp.starts, 1, 'temporary is never restarted');
  assert.equal(
    sup.status().map((s) => s.state),
    ['running', 'stopped', 'failed'],
  );
  await sup.stop();
});

test('transient is restarted after a crash', async () => {
  const clock = new ManualClock();
  const journal: string[] = [];
  const trans = testChild('trans', 'transient', journal);
  const sup = await startSupervisor({
    id: 'root',
    strategy: 'one_for_one',
    children: [trans.spec],
    backoff,
    clock,
    random: noJitter,
  });
  trans.crash();
  await settle();
  clock.advance(100);
  await settle();
  assert.is(trans.starts, 2);
  await sup.stop();
});

test('intensity: the 4th restart within 5 s escalates; the supervisor stops all and rejects', async () => {
  const clock = new ManualClock();
  const journal: string[] = [];
  const events: SupervisorEvent[] = [];
  const a = testChild('a', 'permanent', journal);
  const b = testChild('b', 'permanent', journal);
  const sup = await startSupervisor({
    id: 'root',
    strategy: 'one_for_one',
    children: [a.spec, b.spec],
    backoff: { minMs: 10, maxMs: 10, jitter: 0 },
    clock,
    onEvent: (e) => events.push(e),
  });
  let outcome = 'pending';
  sup.done.then(
    () => {
      outcome = 'resolved';
    },
    (e: Error) => {
      outcome = e.message;
    },
  );
  for (let i = 0; i < 3; i++) {
    b.crash();
    await settle();
    clock.advance(10);
    await settle();
  }
  assert.is(b.starts, 4);
  assert.is(outcome, 'pending');
  b.crash();
  await settle();
  assert.match(outcome, /child "b" exceeded 3 restarts in 5000 ms/);
  assert.is(a.stops, 1, 'the other child was stopped too');
  assert.ok(events.some((e) => e.type === 'gave-up'));
});

test('intensity: restarts spread beyond the window never escalate', async () => {
  const clock = new ManualClock();
  const journal: string[] = [];
  const a = testChild('a', 'permanent', journal);
  const sup = await startSupervisor({
    id: 'root',
    strategy: 'one_for_one',
    children: [a.spec],
    backoff: { minMs: 10, maxMs: 10, jitter: 0 },
    clock,
  });
  for (let i = 0; i < 8; i++) {
    a.crash();
    await settle();
    clock.advance(2000);
    await settle();
  }
  assert.is(a.starts, 9);
  assert.is(sup.status()[0]?.restarts, 8);
  await sup.stop();
});

test('a restart that fails to start counts as a crash and is retried', async () => {
  const clock = new ManualClock();
  const journal: string[] = [];
  const a = testChild('a', 'permanent', journal);
  const sup = await startSupervisor({
    id: 'root',
    strategy: 'one_for_one',
    children: [a.spec],
    backoff,
    clock,
    random: noJitter,
  });
  a.failNextStarts = 1;
  a.crash();
  await settle();
  clock.advance(100);
  await settle();
  assert.equal(journal, ['start a', 'start-fail a']);
  clock.advance(200);
  await settle();
  assert.equal(journal, ['start a', 'start-fail a', 'start a']);
  assert.is(sup.status()[0]?.restarts, 2);
  await sup.stop();
});

test('startSupervisor rejects when a child cannot start, stopping those already started', async () => {
  const journal: string[] = [];
  const a = testChild('a', 'permanent', journal);
  const b = testChild('b', 'permanent', journal);
  b.failNextStarts = 1;
  try {
    await startSupervisor({ id: 'root', strategy: 'one_for_one', children: [a.spec, b.spec] });
    assert.unreachable('should have rejected');
  } catch (error) {
    assert.match((error as Error).message, /child "b" failed to start: b cannot start/);
  }
  assert.equal(journal, ['start a', 'start-fail b', 'stop a']);
});

test('trees nest: an inner supervisor that gives up is restarted by its parent', async () => {
  const clock = new ManualClock();
  const journal: string[] = [];
  const leaf = testChild('leaf', 'permanent', journal);
  let innerStarts = 0;
  const outer = await startSupervisor({
    id: 'outer',
    strategy: 'one_for_one',
    backoff: { minMs: 10, maxMs: 10, jitter: 0 },
    clock,
    children: [
      {
        id: 'inner',
        restart: 'permanent',
        start: () => {
          innerStarts += 1;
          return startSupervisor({
            id: 'inner',
            strategy: 'one_for_one',
            intensity: { maxRestarts: 0, withinMs: 5000 },
            clock,
            children: [leaf.spec],
          });
        },
      },
    ],
  });
  leaf.crash();
  await settle();
  clock.advance(10);
  await settle();
  assert.is(innerStarts, 2);
  assert.is(leaf.starts, 2);
  assert.equal(outer.status(), [{ id: 'inner', state: 'running', restarts: 1 }]);
  await outer.stop();
  assert.is(journal.at(-1), 'stop leaf');
});

test('at the top, escalation exits non-zero', async () => {
  const journal: string[] = [];
  const a = testChild('a', 'permanent', journal);
  const sup = await startSupervisor({
    id: 'root',
    strategy: 'one_for_one',
    intensity: { maxRestarts: 0, withinMs: 5000 },
    children: [a.spec],
  });
  const code = new Promise<number>((resolve) => {
    runAsTopLevel(sup, {
      logger: silentLogger(),
      exit: resolve,
      handleSignals: false,
    });
  });
  a.crash();
  assert.is(await code, 1);
});

test.run();
