import { Readable } from 'node:stream';
import mqtt from 'mqtt';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { readDeadLetters } from '../../cli/commands/deadletters.js';
import type { PresenceDiff, PresenceFull, TelemetryBatch } from '../../contract/index.js';
import { indexRetained } from '../../gateway/retained-index.js';
import { hearsTelemetry } from '../../gateway/telemetry-hearers.js';
import {
  birth,
  connect,
  device,
  end,
  listener,
  publish,
  reading,
  testGateway,
  waitFor,
} from './gateway-helpers.js';

const test = suite('gateway: the data path');

test('telemetry from a device reaches the backend in a batch; presence and devices follow', async () => {
  const gw = await testGateway();
  try {
    const backend = await listener(gw.mqttUrl, ['fs/gw/v1/local/#'], gw.backend);
    const dev = await device(gw.mqttUrl, 'dev-a');
    for (let seq = 1; seq <= 5; seq++)
      await publish(dev, 'fs/v1/dev-a/telemetry', reading(seq, seq));
    const items = await backend.until(
      () => {
        const all = backend.messages
          .filter((m) => m.topic === 'fs/gw/v1/local/telemetry')
          .flatMap((m) => (m.body as TelemetryBatch).items);
        return all.length >= 5 ? all : undefined;
      },
      10_000,
      'five readings upstream',
    );
    assert.equal(
      items.map((i) => [i.device, i.seq, i.readings.temp]),
      [1, 2, 3, 4, 5].map((s) => ['dev-a', s, s]),
    );
    const diff = await backend.until(() =>
      backend.messages.find(
        (m) =>
          m.topic === 'fs/gw/v1/local/presence' &&
          (m.body as PresenceDiff).changes.some((c) => c.device === 'dev-a' && c.online),
      ),
    );
    assert.ok(diff);
    await end(dev);
    const left = await backend.until(() =>
      backend.messages
        .filter((m) => m.topic === 'fs/gw/v1/local/presence')
        .flatMap((m) => (m.body as PresenceDiff).changes)
        .find((c) => c.device === 'dev-a' && !c.online),
    );
    assert.is(left.reason, 'clean');
    const full = backend.messages.find((m) => m.topic === 'fs/gw/v1/local/devices');
    assert.ok(full, 'the full state was published (retained) when the forwarder connected');
    assert.is((full?.body as PresenceFull | undefined)?.type, 'full');
    await backend.close();
  } finally {
    await gw.cleanup();
  }
});

test('a birth and readings sent back to back (as the firmware does) are handled in order', async () => {
  const gw = await testGateway();
  try {
    const backend = await listener(gw.mqttUrl, ['fs/gw/v1/local/telemetry'], gw.backend);
    const dev = await connect(gw.mqttUrl, { clientId: 'eager' });
    // No waiting for PUBACKs: all four leave in one burst, most likely in one socket read.
    await Promise.all([
      publish(dev, 'fs/v1/eager/status', birth(), true),
      ...[1, 2, 3].map((seq) => publish(dev, 'fs/v1/eager/telemetry', reading(seq))),
    ]);
    const seqs = await backend.until(() => {
      const got = backend.messages
        .flatMap((m) => (m.body as TelemetryBatch).items)
        .map((i) => i.seq);
      return got.length >= 3 ? got : undefined;
    });
    assert.equal(seqs, [1, 2, 3]);
    assert.equal(
      readDeadLetters(gw.dir, { device: 'eager' }),
      [],
      'nothing rejected as unknown-sensor',
    );
    await Promise.all([end(dev), backend.close()]);
  } finally {
    await gw.cleanup();
  }
});

test('a loopback client subscribed to device telemetry hears it, clean or persistent, and only while subscribed', async () => {
  const gw = await testGateway();
  try {
    const dev = await device(gw.mqttUrl, 'dev-w');
    let seq = 0;
    const send = () => publish(dev, 'fs/v1/dev-w/telemetry', reading(++seq));
    const heard = (l: { messages: Array<{ topic: string; body: unknown }> }) =>
      l.messages
        .filter((m) => m.topic === 'fs/v1/dev-w/telemetry')
        .map((m) => (m.body as { seq: number }).seq);
    await send(); // nobody listens yet: upstream only
    const watcher = await listener(gw.mqttUrl, ['fs/v1/+/telemetry']);
    await send();
    await watcher.until(() => heard(watcher).includes(2), 5000, 'telemetry on the device topic');
    // A persistent session keeps hearing while offline: the broker queues for it.
    const persistent = await listener(gw.mqttUrl, ['fs/v1/#'], {
      clientId: 'watch-p',
      clean: false,
    });
    await end(persistent.client);
    await watcher.close();
    await send();
    // Its session resumes: the broker delivers what it queued, with no new SUBSCRIBE.
    const back = mqtt.connect(gw.mqttUrl, {
      clientId: 'watch-p',
      clean: false,
      reconnectPeriod: 0,
    });
    const queued: number[] = [];
    back.on('message', (topic, payload) => {
      if (topic === 'fs/v1/dev-w/telemetry')
        queued.push((JSON.parse(payload.toString()) as { seq: number }).seq);
    });
    await waitFor(() => queued.includes(3), 5000, 'the reading queued while it was away');
    await end(back);
    assert.equal(heard(watcher), [2], 'the clean watcher heard only what came while it was there');
  } finally {
    await gw.cleanup();
  }
});

test('a subscription gets the retained message of its exact topic, and none once it is cleared', async () => {
  const gw = await testGateway();
  try {
    const dev = await device(gw.mqttUrl, 'dev-r');
    const exact = await listener(gw.mqttUrl, ['fs/v1/dev-r/status']);
    const wild = await listener(gw.mqttUrl, ['fs/v1/+/status']);
    for (const l of [exact, wild]) {
      const got = await l.until(
        () => l.messages.find((m) => m.topic === 'fs/v1/dev-r/status'),
        5000,
        'the retained birth',
      );
      assert.is((got.body as { online: boolean }).online, true);
    }
    await exact.close();
    await wild.close();
    // It leaves: the gateway's retained offline status replaces the birth.
    await end(dev);
    const after = await listener(gw.mqttUrl, ['fs/v1/dev-r/status']);
    const offline = await after.until(
      () => after.messages.find((m) => (m.body as { online?: boolean }).online === false),
      5000,
      'the retained offline status',
    );
    assert.is((offline.body as { reason: string }).reason, 'clean');
    await after.close();
    // Cleared (an empty retained message): a new subscriber gets nothing.
    await gw.parts.broker?.publish('fs/v1/dev-r/status', '', { qos: 1, retain: true });
    const late = await listener(gw.mqttUrl, ['fs/v1/dev-r/status']);
    await new Promise((r) => setTimeout(r, 300));
    assert.equal(late.messages, []);
    await late.close();
  } finally {
    await gw.cleanup();
  }
});

test('retained index: exact filters are answered by topic, without scanning the store', async () => {
  const scanned: string[][] = [];
  const store = {
    storeRetained: (_p: unknown) => undefined,
    createRetainedStreamCombi: (patterns: string[]) => {
      scanned.push(patterns);
      return Readable.from([]);
    },
  };
  indexRetained(store);
  store.storeRetained({ topic: 'fs/v1/a/status', payload: Buffer.from('{"online":true}') });
  store.storeRetained({ topic: 'fs/v1/b/status', payload: Buffer.from('{"online":true}') });
  store.storeRetained({ topic: 'fs/v1/b/status', payload: Buffer.alloc(0) });
  const read = async (patterns: string[]) =>
    (await store.createRetainedStreamCombi(patterns).toArray()).map(
      (p: { topic: string }) => p.topic,
    );
  assert.equal(await read(['fs/v1/a/status', 'fs/v1/b/status', 'fs/v1/a/cmd']), ['fs/v1/a/status']);
  assert.equal(scanned, []);
  await read(['fs/v1/+/status']);
  assert.equal(scanned, [['fs/v1/+/status']], 'a wildcard filter goes to the store');
});

test('which subscription filters hear device telemetry', () => {
  const hears = [
    '#',
    'fs/#',
    'fs/v1/#',
    'fs/v1/+/telemetry',
    'fs/v1/dev-a/telemetry',
    '+/+/+/+',
    'fs/+/+/telemetry/#',
    '$share/g/fs/v1/+/telemetry',
  ];
  const deaf = [
    'fs/v1/+/status',
    'fs/gw/v1/+/telemetry',
    'fs/v1/+',
    'fs/v1/+/telemetry/x',
    '$SYS/#',
    'fs/v1/+/+/+',
  ];
  assert.equal(
    hears.filter((f) => !hearsTelemetry(f)),
    [],
  );
  assert.equal(
    deaf.filter((f) => hearsTelemetry(f)),
    [],
  );
});

test.run();
