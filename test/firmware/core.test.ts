/** Unit tests of the core's pure parts: backoff, the outbox ring, the report decision, plans. */
import * as assert from 'node:assert/strict';
import { suite } from 'uvu';
import { LIMITS } from '../../contract/payloads.js';
import { backoffDelay } from '../../firmware/core/backoff.js';
import { ACK_ERROR_MAX } from '../../firmware/core/commands.js';
import {
  createOutbox,
  outboxAck,
  outboxPush,
  outboxRewind,
  outboxSlot,
  outboxTakeNext,
} from '../../firmware/core/outbox.js';
import { shouldReport } from '../../firmware/core/reporting.js';
import type { Transport } from '../../firmware/core/types.js';
import { ManualClock } from '../../lib/clock.js';
import { createScriptedIO, tmp36Fraction } from './scripted-io.js';
import { startTestCore, unoPlan } from './test-core.js';

const backoff = suite('backoff');
const policy = { minMs: 500, maxMs: 30000, factor: 2, jitter: 0.5 };

backoff('doubles from the minimum up to the cap, without jitter when random is 0', () => {
  const delays = [0, 1, 2, 3, 4, 5, 6, 7, 8].map((n) => backoffDelay(n, policy, 0));
  assert.deepEqual(delays, [500, 1000, 2000, 4000, 8000, 16000, 30000, 30000, 30000]);
});

backoff('jitter takes away at most its fraction of the delay', () => {
  assert.equal(backoffDelay(3, policy, 0.999999), 2000);
  assert.equal(backoffDelay(3, policy, 0.5), 3000);
  assert.equal(backoffDelay(3, { ...policy, jitter: 0 }, 0.9), 4000);
});

backoff('the runtime reconnects on that schedule (ManualClock, a transport that refuses)', () => {
  const clock = new ManualClock(1_000_000);
  const attempts: number[] = [];
  let onlineAfter = 4;
  const transport: Transport = {
    open(_options, events) {
      attempts.push(clock.now());
      clock.setTimeout(() => {
        if (onlineAfter-- > 0) events.closed('connection refused');
        else events.connected();
      }, 0);
    },
    publish: (_t, _p, _o, done) => done(null),
    subscribe: (_t, done) => done(null),
    end: (done) => done(),
  };
  const plan = unoPlan({ id: 'bk', board: 'uno', sensors: [], actuators: [] });
  const core = startTestCore({
    plan,
    transport,
    io: createScriptedIO(),
    clock,
  });
  clock.advance(60_000);
  const gaps = attempts.slice(1).map((t, i) => t - (attempts[i] as number));
  assert.deepEqual(gaps, [500, 1000, 2000, 4000]);
  assert.equal(core.state().connection, 'online');
  // A later drop starts again from the minimum.
  core.stop('clean', () => {});
});

backoff.run();

const outbox = suite('outbox ring');

outbox(
  'keeps messages until acked, in order, and sends the unacked ones again after a rewind',
  () => {
    const box = createOutbox(4, 2);
    for (const seq of [1, 2, 3]) {
      const slot = outboxPush(box, seq, seq * 10);
      box.values[slot * box.w] = seq + 0.5;
      box.values[slot * box.w + 1] = Number.NaN;
    }
    const first = outboxTakeNext(box);
    const second = outboxTakeNext(box);
    assert.deepEqual([first, second, box.sent], [1, 2, 2]);
    assert.deepEqual(
      [first, second].map((seq) => {
        const slot = outboxSlot(box, seq);
        return [box.times[slot], box.values[slot * box.w], box.values[slot * box.w + 1]];
      }),
      [
        [10, 1.5, Number.NaN],
        [20, 2.5, Number.NaN],
      ],
      'each message keeps its time and its values, NaN where it has no reading',
    );
    outboxAck(box, 1);
    assert.deepEqual([box.count, box.sent], [2, 1], 'seq 1 left the ring; 2 is still in flight');
    outboxRewind(box);
    assert.deepEqual(
      [outboxTakeNext(box), outboxTakeNext(box), outboxTakeNext(box)],
      [2, 3, 0],
      'after the rewind, 2 goes again, then 3; 0: nothing left to send',
    );
    outboxAck(box, 3);
    assert.deepEqual([box.count, box.sent], [0, 0]);
  },
);

outbox('a PUBACK covers every message before it (MQTT 3.1.1 4.6: PUBACKs come in order)', () => {
  const box = createOutbox(4, 1);
  for (const seq of [1, 2, 3]) outboxPush(box, seq, seq);
  outboxTakeNext(box);
  outboxTakeNext(box);
  outboxTakeNext(box);
  outboxAck(box, 2);
  assert.deepEqual([box.count, box.sent, box.headSeq], [1, 1, 3]);
  outboxAck(box, 2); // a repeated PUBACK changes nothing
  assert.deepEqual([box.count, box.sent], [1, 1]);
});

outbox('drops the oldest when full and counts the drops', () => {
  const box = createOutbox(3, 1);
  for (let seq = 1; seq <= 5; seq++) outboxPush(box, seq, seq * 10);
  assert.equal(box.dropped, 2);
  assert.equal(box.count, 3);
  const order: number[] = [];
  for (let seq = outboxTakeNext(box); seq !== 0; seq = outboxTakeNext(box)) {
    order.push(seq);
    assert.equal(box.times[outboxSlot(box, seq)], seq * 10);
  }
  assert.deepEqual(order, [3, 4, 5]);
});

outbox('a drop while messages are in flight keeps the rest sendable', () => {
  const box = createOutbox(2, 1);
  outboxPush(box, 1, 1);
  outboxTakeNext(box);
  outboxPush(box, 2, 2);
  outboxPush(box, 3, 3); // drops 1, which was in flight
  assert.equal(box.dropped, 1);
  assert.deepEqual([outboxTakeNext(box), outboxTakeNext(box), outboxTakeNext(box)], [2, 3, 0]);
  outboxAck(box, 1); // a late PUBACK for the dropped message changes nothing
  assert.equal(box.count, 2);
});

outbox.run();

const report = suite('report decision');
const intervals = { minReportMs: 1000, maxReportMs: 10000 };
const number = { id: 'n', deadband: 0.5, decimals: 2 };
const onOff = { id: 'b', deadband: 0, decimals: 0, flag: true };

report('table: first sample, deadband, min and max intervals, boolean events', () => {
  // On/off readings are 1 and 0; NaN is "nothing reported yet".
  const rows: [number, number, number, number, boolean, boolean][] = [
    // last, lastAt, value, now, on/off, expected
    [Number.NaN, 0, 20, 0, false, true],
    [20, 0, 20.4, 2000, false, false], // inside the deadband
    [20, 0, 20.6, 2000, false, true], // beyond it
    [20, 0, 25, 500, false, false], // beyond it, but sooner than minReportMs
    [20, 0, 20, 10000, false, true], // maxReportMs reached without change
    [0, 0, 1, 10, true, true], // an on/off change is an event, reported at once
    [1, 0, 1, 5000, true, false],
    [Number.NaN, 0, 0, 0, true, true],
  ];
  for (const [last, lastAt, value, now, flag, expected] of rows) {
    assert.equal(
      shouldReport(last, lastAt, value, now, intervals, flag ? onOff : number),
      expected,
      `${last} → ${value} at ${now}`,
    );
  }
  assert.equal(shouldReport(20, 0, 20.1, 2000, intervals, { ...number, deadband: 0 }), true);
});

report('the sampler reports only on change (ManualClock, scripted pins)', () => {
  const clock = new ManualClock(0);
  const io = createScriptedIO();
  io.analog.A0 = tmp36Fraction(20);
  const published: string[] = [];
  const transport: Transport = {
    open(_o, events) {
      clock.setTimeout(() => events.connected(), 0);
    },
    publish(topic, payload, _o, done) {
      if (topic.endsWith('/telemetry')) published.push(payload);
      done(null);
    },
    subscribe: (_t, done) => done(null),
    end: (done) => done(),
  };
  const plan = unoPlan({
    id: 'smp',
    board: 'uno',
    sensors: [
      {
        id: 't',
        part: 'tmp36',
        pin: 'A0',
        sampleMs: 100,
        deadband: 0.3,
        minReportMs: 100,
        maxReportMs: 5000,
      },
    ],
    actuators: [],
  });
  const core = startTestCore({
    plan,
    transport,
    io,
    clock,
  });
  clock.advance(1000); // 10 samples of the same value: one report
  io.analog.A0 = tmp36Fraction(21);
  clock.advance(1000); // a change beyond the deadband: one more
  clock.advance(5000); // nothing changes, but maxReportMs passes: a heartbeat
  const readings = published.map((p) => JSON.parse(p) as { seq: number; readings: { t: number } });
  assert.deepEqual(
    readings.map((r) => [r.seq, Math.round(r.readings.t)]),
    [
      [1, 20],
      [2, 21],
      [3, 21],
    ],
  );
  core.stop('clean', () => {});
});

report.run();

const commands = suite('commands (ManualClock, a transport that records)');

commands("the ack's error limit is the contract's", () => {
  assert.equal(ACK_ERROR_MAX, LIMITS.maxErrorLength);
});

commands('every malformed or failing command is an error ack, and the runtime keeps going', () => {
  const clock = new ManualClock(0);
  const io = createScriptedIO();
  const acks: Record<string, unknown>[] = [];
  let deliver: (topic: string, payload: string) => void = () => {};
  const transport: Transport = {
    open(_o, events) {
      deliver = events.received;
      clock.setTimeout(() => events.connected(), 0);
    },
    publish(topic, payload, _o, done) {
      if (topic.endsWith('/ack')) acks.push(JSON.parse(payload));
      done(null);
    },
    subscribe: (_t, done) => done(null),
    end: (done) => done(),
  };
  const plan = unoPlan({
    id: 'cmd',
    board: 'uno',
    sensors: [],
    actuators: [{ id: 'arm', part: 'servo', pin: '9' }],
  });
  const core = startTestCore({
    plan,
    transport,
    io,
    clock,
  });
  clock.advance(10);
  // The servo fails only after start (its initial position was written fine).
  io.servoWrite = () => {
    throw new Error('servo driver fault');
  };
  const cases: [string, string, RegExp][] = [
    ['[1,2]', '-', /^not a JSON object/],
    ['{"id":"","name":"ping"}', '-', /^bad id: "" \(allowed 1\.\.64 characters\)$/],
    ['{"id":"a1","name":"ping","args":[]}', 'a1', /^bad args: \[\] \(allowed an object\)$/],
    ['{"id":"a2","name":"toString","args":{}}', 'a2', /unknown command "toString"/],
    ['{"id":"a3","name":"set","args":{"actuator":"arm","value":10}}', 'a3', /servo driver fault/],
    [
      '{"id":"a4","name":"interval","args":{}}',
      'a4',
      /^bad args: \{\} \(allowed one of sampleMs, minReportMs, maxReportMs\)$/,
    ],
    [
      '{"id":"a5","name":"interval","args":{"sensor":"x","sampleMs":100}}',
      'a5',
      /^unknown sensor "x" \(known: none\)$/,
    ],
    // A huge bad value: the text is cut to the contract's limit, so the ack stays valid.
    [
      `{"id":"a6","name":"set","args":{"actuator":"${'x'.repeat(900)}"}}`,
      'a6',
      new RegExp(`^unknown actuator "x{${ACK_ERROR_MAX - 'unknown actuator "'.length}}$`),
    ],
  ];
  for (const [payload, id, error] of cases) {
    deliver('fs/v1/cmd/cmd', payload);
    const ack = acks.at(-1) as { id: string; ok: boolean; error: string };
    assert.equal(ack.id, id, payload);
    assert.equal(ack.ok, false, payload);
    assert.match(ack.error, error);
  }
  deliver('fs/v1/cmd/cmd', '{"id":"ok","name":"ping","args":{}}');
  assert.deepEqual(acks.at(-1), { id: 'ok', ok: true, result: { ts: 10, uptimeMs: 10 } });
  core.stop('clean', () => {});
});

commands('interval: all sensors or one, every argument checked before anything changes', () => {
  const clock = new ManualClock(0);
  const io = createScriptedIO();
  io.analog.A0 = tmp36Fraction(20);
  io.analog.A1 = tmp36Fraction(21);
  const acks: Record<string, unknown>[] = [];
  const samples: [number, string[]][] = [];
  let deliver: (topic: string, payload: string) => void = () => {};
  const transport: Transport = {
    open(_o, events) {
      deliver = events.received;
      clock.setTimeout(() => events.connected(), 0);
    },
    publish(topic, payload, _o, done) {
      if (topic.endsWith('/ack')) acks.push(JSON.parse(payload));
      if (topic.endsWith('/telemetry')) {
        const message = JSON.parse(payload);
        samples.push([message.ts, Object.keys(message.readings)]);
      }
      done(null);
    },
    subscribe: (_t, done) => done(null),
    end: (done) => done(),
  };
  const plan = unoPlan({
    id: 'ivl',
    board: 'uno',
    sensors: [
      { id: 'a', part: 'tmp36', pin: 'A0', sampleMs: 1000, maxReportMs: 1000 },
      { id: 'b', part: 'tmp36', pin: 'A1', sampleMs: 1000, maxReportMs: 1000 },
    ],
    actuators: [{ id: 'lamp', part: 'led', pin: '13' }],
  });
  const core = startTestCore({
    plan,
    transport,
    io,
    clock,
  });
  clock.advance(10);
  const send = (args: object) => {
    deliver('fs/v1/ivl/cmd', JSON.stringify({ id: 'i', name: 'interval', args }));
    return acks.at(-1);
  };
  const a = plan.sensors[0]!;
  const b = plan.sensors[1]!;
  const before = { sampleMs: 1000, minReportMs: a.minReportMs, maxReportMs: 1000 };
  // One bad argument among good ones: nothing changes.
  assert.deepEqual(send({ minReportMs: 2000, maxReportMs: 49 }), {
    id: 'i',
    ok: false,
    error: 'bad args.maxReportMs: 49 (allowed integer 50..86400000)',
  });
  assert.deepEqual(send({ sensor: 'c', sampleMs: 2000 }), {
    id: 'i',
    ok: false,
    error: 'unknown sensor "c" (known: a, b)',
  });
  assert.deepEqual(send({ sensor: 7, sampleMs: 2000 }), {
    id: 'i',
    ok: false,
    error: 'unknown sensor 7 (known: a, b)',
  });
  assert.equal(
    (send({ sampleMs: 100.5 }) as { error: string }).error,
    'bad args.sampleMs: 100.5 (allowed integer 50..86400000)',
  );
  assert.deepEqual([a.sampleMs, a.minReportMs, a.maxReportMs], Object.values(before));
  assert.deepEqual([b.sampleMs, b.minReportMs, b.maxReportMs], Object.values(before));
  // No sensor: all of them.
  assert.deepEqual(send({ minReportMs: 500 }), {
    id: 'i',
    ok: true,
    result: {
      a: { ...before, minReportMs: 500 },
      b: { ...before, minReportMs: 500 },
    },
  });
  // One sensor: only it, and it is sampled on its new period from now.
  samples.length = 0;
  assert.deepEqual(send({ sensor: 'b', sampleMs: 5000, maxReportMs: 5000 }), {
    id: 'i',
    ok: true,
    result: { b: { sampleMs: 5000, minReportMs: 500, maxReportMs: 5000 } },
  });
  assert.deepEqual(
    [a.sampleMs, a.maxReportMs, b.sampleMs, b.maxReportMs],
    [1000, 1000, 5000, 5000],
  );
  clock.advance(5000);
  // a is due every second; b, retimed at 10 ms, 5 s later.
  assert.deepEqual(
    samples.filter((sample) => sample[1].includes('b')).map((sample) => sample[0]),
    [5010],
  );
  assert.ok(samples.length >= 4, JSON.stringify(samples));
  // set: an actuator id that is no string is unknown too; a value of the wrong kind is refused.
  deliver('fs/v1/ivl/cmd', '{"id":"s","name":"set","args":{"actuator":1,"value":true}}');
  assert.equal((acks.at(-1) as { error: string }).error, 'unknown actuator 1 (known: lamp)');
  deliver('fs/v1/ivl/cmd', '{"id":"s","name":"set","args":{"value":true}}');
  assert.equal(
    (acks.at(-1) as { error: string }).error,
    'unknown actuator undefined (known: lamp)',
  );
  deliver('fs/v1/ivl/cmd', '{"id":"s","name":"set","args":{"actuator":"lamp","value":1}}');
  assert.equal(
    (acks.at(-1) as { error: string }).error,
    'bad args.value: 1 (allowed true or false)',
  );
  core.stop('clean', () => {});
});

commands.run();

const watch = suite('watched inputs');

watch(
  'a button press shorter than the sampling period is reported (the IO watches the pin)',
  () => {
    const clock = new ManualClock(0);
    const io = createScriptedIO();
    io.digital['2'] = true; // pull-up: released reads high
    const published: { seq: number; ts: number; readings: Record<string, boolean> }[] = [];
    const transport: Transport = {
      open(_o, events) {
        clock.setTimeout(() => events.connected(), 0);
      },
      publish(topic, payload, _o, done) {
        if (topic.endsWith('/telemetry')) published.push(JSON.parse(payload));
        done(null);
      },
      subscribe: (_t, done) => done(null),
      end: (done) => done(),
    };
    const plan = unoPlan({
      id: 'btn',
      board: 'uno',
      sensors: [{ id: 'door', part: 'button', pin: '2', sampleMs: 5000 }],
      actuators: [],
    });
    const core = startTestCore({
      plan,
      transport,
      io,
      clock,
    });
    clock.advance(100);
    io.level('2', false); // pressed
    clock.advance(30);
    io.level('2', true); // released 30 ms later, long before the next sample at 5 s
    clock.advance(100);
    assert.deepEqual(
      published.map((p) => [p.ts, p.readings.door]),
      [
        [0, false],
        [100, true],
        [130, false],
      ],
    );
    core.stop('clean', () => {});
  },
);

watch.run();
