/**
 * The benchmark's load generator against a plain broker: its accounting must add up
 * (sent = received + lost + unacked), count copies as duplicates, and count as lost what the
 * broker acknowledged but never delivered. Correctness only; timing belongs to the benchmark.
 */
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { ACKED, LatencyHistogram, reconcile, SENT } from '../../bench/accounting.js';
import { runLoad } from '../../bench/load.js';
import { BENCH_SENSORS } from '../../bench/load-protocol.js';
import { startTestBroker } from '../helpers/broker.js';

const test = suite('bench: load generator accounting');

const plain = (port: number) => ({
  port,
  filter: 'fs/v1/+/telemetry',
  format: 'device' as const,
});

test('reconcile: every sent reading is received, lost or unacked; copies are duplicates', () => {
  const both = SENT | ACKED;
  const sent = new Map([
    ['a', Uint8Array.from([both, both, both, SENT])],
    ['b', Uint8Array.from([both])],
  ]);
  const received = new Map([
    ['a', Uint8Array.from([1, 3, 0, 0])],
    ['c', Uint8Array.from([1])],
  ]);
  assert.equal(reconcile(sent, received), {
    sent: 5,
    acked: 4,
    received: 2,
    lost: 2,
    unacked: 1,
    duplicates: 2,
    unexpected: 1,
  });
});

test('latency histogram percentiles', () => {
  const h = new LatencyHistogram();
  for (let ms = 1; ms <= 100; ms++) h.record(ms);
  assert.is(h.percentile(0.5), 50);
  assert.is(h.percentile(0.99), 99);
  assert.is(h.max, 100);
});

test('a low fixed rate through a plain broker: all received, duplicates counted', async () => {
  const broker = await startTestBroker();
  try {
    const result = await runLoad({
      host: '127.0.0.1',
      port: broker.port,
      backend: plain(broker.port),
      devices: 20,
      prefix: 'acct',
      workers: 2,
      mode: { kind: 'rate', perSecond: 200, maxInFlight: 50 },
      durationMs: 2000,
      duplicateEvery: 10,
      drainTimeoutMs: 5000,
      stallMs: 1000,
    });
    assert.is(result.connected, 20);
    assert.ok(result.sent > 100, `sent ${result.sent}`);
    assert.is(result.sent, result.received + result.lost + result.unacked);
    assert.is(result.lost, 0);
    assert.is(result.unexpected, 0);
    assert.is(result.latency.samples, result.received, 'one latency sample per distinct message');
    // Readings are the sensor values the backend found: two per message (BENCH_SENSORS),
    // duplicates not counted twice.
    assert.is(result.readingsReceived, result.received * BENCH_SENSORS.length);
    assert.is(result.readingsPerSecond, result.messagesPerSecond * BENCH_SENSORS.length);
    // Seqs 9, 19, 29… of each device were published twice, and a plain broker delivers both
    // copies: per device floor(sent/10) duplicates, so in all between sent/10 - 20 and sent/10.
    assert.ok(result.duplicates <= result.sent / 10, `duplicates ${result.duplicates}`);
    assert.ok(result.duplicates >= result.sent / 10 - 20, `duplicates ${result.duplicates}`);
  } finally {
    await broker.close();
  }
});

test('readings the broker acknowledges but never delivers are counted as lost', async () => {
  const broker = await startTestBroker();
  // Drop every telemetry message whose seq ends in 3 on its way to the subscriber.
  const aedes = broker.aedes as unknown as {
    authorizeForward: (client: unknown, packet: { topic: string; payload: Buffer }) => unknown;
  };
  let withheld = 0;
  aedes.authorizeForward = (_client, packet) => {
    if (!packet.topic.endsWith('/telemetry')) return packet;
    const { seq } = JSON.parse(packet.payload.toString()) as { seq: number };
    if (seq % 10 !== 3) return packet;
    withheld++;
    return null;
  };
  try {
    const result = await runLoad({
      host: '127.0.0.1',
      port: broker.port,
      backend: plain(broker.port),
      devices: 10,
      prefix: 'lossy',
      workers: 1,
      mode: { kind: 'max', window: 4 },
      durationMs: 1000,
      drainTimeoutMs: 5000,
      stallMs: 1000,
    });
    assert.ok(result.sent > 50, `sent ${result.sent}`);
    assert.is(result.unacked, 0, 'a plain broker acknowledges everything');
    assert.is(result.lost, withheld, 'lost = what the broker withheld');
    assert.is(result.received, result.sent - withheld);
    assert.is(result.duplicates, 0);
  } finally {
    await broker.close();
  }
});

test.run();
