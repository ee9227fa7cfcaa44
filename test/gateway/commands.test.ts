import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import type { UpstreamAck } from '../../contract/index.js';
import { birth, connect, end, listener, publish, testGateway } from './gateway-helpers.js';

const test = suite('gateway: commands downstream with id, timeout, ack and TTL');

type Backend = Awaited<ReturnType<typeof listener>>;

function ackFor(backend: Backend, id: string): Promise<UpstreamAck> {
  return backend.until(
    () =>
      backend.messages.find(
        (m) => m.topic === 'fs/gw/v1/local/ack' && (m.body as UpstreamAck).ack.id === id,
      )?.body as UpstreamAck,
    10_000,
    `ack ${id}`,
  );
}

/** A device that answers every command with ok (or stays silent when `mute`). */
async function answering(url: string, id: string, mute = false) {
  const client = await connect(url, { clientId: id });
  const received: string[] = [];
  await new Promise<void>((r) => client.subscribe(`fs/v1/${id}/cmd`, { qos: 1 }, () => r()));
  client.on('message', (_topic, payload) => {
    const cmd = JSON.parse(payload.toString()) as { id: string; name: string };
    received.push(cmd.id);
    if (!mute) void publish(client, `fs/v1/${id}/ack`, { id: cmd.id, ok: true, result: cmd.name });
  });
  // As the firmware does: subscribe to cmd, then send the birth.
  await publish(client, `fs/v1/${id}/status`, birth(), true);
  return { client, received };
}

test('an online device gets the command and its ack goes upstream', async () => {
  const gw = await testGateway();
  try {
    const backend = await listener(gw.mqttUrl, ['fs/gw/v1/local/ack'], gw.backend);
    const dev = await answering(gw.mqttUrl, 'cmd-1');
    await publish(backend.client, 'fs/gw/v1/local/cmd', {
      device: 'cmd-1',
      id: 'c1',
      name: 'ping',
      args: {},
    });
    const ack = await ackFor(backend, 'c1');
    assert.equal(ack, { device: 'cmd-1', ack: { id: 'c1', ok: true, result: 'ping' } });
    await Promise.all([end(dev.client), backend.close()]);
  } finally {
    await gw.cleanup();
  }
});

test('no ack in time: the gateway answers timeout; offline without TTL: offline; bad command: refused', async () => {
  const gw = await testGateway();
  try {
    const backend = await listener(gw.mqttUrl, ['fs/gw/v1/local/ack'], gw.backend);
    const dev = await answering(gw.mqttUrl, 'mute-1', true);
    await publish(backend.client, 'fs/gw/v1/local/cmd', {
      device: 'mute-1',
      id: 't1',
      name: 'ping',
      args: {},
      timeoutMs: 200,
    });
    assert.equal((await ackFor(backend, 't1')).ack, { id: 't1', ok: false, error: 'timeout' });
    assert.equal(dev.received, ['t1']);
    await publish(backend.client, 'fs/gw/v1/local/cmd', {
      device: 'nobody',
      id: 'o1',
      name: 'ping',
      args: {},
    });
    assert.equal((await ackFor(backend, 'o1')).ack, { id: 'o1', ok: false, error: 'offline' });
    await publish(backend.client, 'fs/gw/v1/local/cmd', {
      device: 'mute-1',
      id: 'b1',
      name: 42,
      args: {},
    });
    const bad = await ackFor(backend, 'b1');
    assert.equal(bad.ack.ok, false);
    assert.match((bad.ack as { error: string }).error, /name/);
    await Promise.all([end(dev.client), backend.close()]);
  } finally {
    await gw.cleanup();
  }
});

test('a sleepy device: the command waits (TTL) and is delivered when it reconnects; an expired one says expired', async () => {
  const gw = await testGateway();
  try {
    const backend = await listener(gw.mqttUrl, ['fs/gw/v1/local/ack'], gw.backend);
    await publish(backend.client, 'fs/gw/v1/local/cmd', {
      device: 'sleepy',
      id: 's1',
      name: 'ping',
      args: {},
      ttlMs: 60_000,
    });
    await publish(backend.client, 'fs/gw/v1/local/cmd', {
      device: 'sleepy',
      id: 's2',
      name: 'ping',
      args: {},
      ttlMs: 100,
    });
    assert.equal((await ackFor(backend, 's2')).ack, { id: 's2', ok: false, error: 'expired' });
    const dev = await answering(gw.mqttUrl, 'sleepy');
    const ack = await ackFor(backend, 's1');
    assert.equal(ack.ack, { id: 's1', ok: true, result: 'ping' });
    assert.equal(dev.received, ['s1'], 'delivered once, the expired one never');
    await Promise.all([end(dev.client), backend.close()]);
  } finally {
    await gw.cleanup();
  }
});

test.run();
