/**
 * The device side on an external broker: Mosquitto on 127.0.0.1:1883 (as on a Pi). Device
 * and gateway ids are random per run, and every retained message written is cleared.
 */

import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import type {
  PresenceDiff,
  PresenceEntry,
  PresenceFull,
  TelemetryBatch,
  UpstreamAck,
} from '../../contract/index.js';
import { mosquittoAvailable } from '../helpers/broker.js';
import { birth, connect, end, listener, publish, reading, testGateway } from './gateway-helpers.js';

const test = suite('gateway: devices on an external Mosquitto');
const MOSQUITTO = 'mqtt://127.0.0.1:1883';
const run = Math.random().toString(36).slice(2, 8);
const gatewayId = `t${run}`;
const deviceId = `mq-${run}`;

function presence(messages: Array<{ topic: string; body: unknown }>): PresenceEntry[] {
  return messages.flatMap((m) => {
    if (m.topic.endsWith('/presence')) return (m.body as PresenceDiff).changes;
    if (m.topic.endsWith('/devices')) return (m.body as PresenceFull).devices;
    return [];
  });
}

test('readings, presence from births and wills, and commands through Mosquitto', async () => {
  if (!(await mosquittoAvailable())) return;
  const gw = await testGateway({ gatewayId, deviceBroker: { url: MOSQUITTO } });
  const backend = await listener(MOSQUITTO, [`fs/gw/v1/${gatewayId}/#`], {
    clientId: `backend-${run}`,
  });
  const dev = await connect(MOSQUITTO, {
    clientId: deviceId,
    will: {
      topic: `fs/v1/${deviceId}/status`,
      payload: Buffer.from('{"online":false,"reason":"lost"}'),
      qos: 1,
      retain: true,
    },
  });
  try {
    assert.is(gw.mqttUrl, MOSQUITTO);
    await new Promise<void>((r) => dev.subscribe(`fs/v1/${deviceId}/cmd`, { qos: 1 }, () => r()));
    dev.on('message', (_t, payload) => {
      const cmd = JSON.parse(payload.toString()) as { id: string };
      void publish(dev, `fs/v1/${deviceId}/ack`, { id: cmd.id, ok: true });
    });
    await publish(dev, `fs/v1/${deviceId}/status`, birth(), true);
    for (let seq = 1; seq <= 20; seq++)
      await publish(dev, `fs/v1/${deviceId}/telemetry`, reading(seq));
    const seqs = await backend.until(
      () => {
        const got = backend.messages
          .filter((m) => m.topic.endsWith('/telemetry'))
          .flatMap((m) => (m.body as TelemetryBatch).items)
          .map((i) => i.seq);
        return got.length >= 20 ? got : undefined;
      },
      15_000,
      'twenty readings upstream',
    );
    assert.equal(
      seqs,
      Array.from({ length: 20 }, (_, i) => i + 1),
    );
    await backend.until(
      () => presence(backend.messages).find((e) => e.device === deviceId && e.online),
      10_000,
      'online',
    );

    await publish(backend.client, `fs/gw/v1/${gatewayId}/cmd`, {
      device: deviceId,
      id: 'mq-1',
      name: 'ping',
      args: {},
    });
    const ack = await backend.until(
      () =>
        backend.messages.find(
          (m) => m.topic.endsWith('/ack') && (m.body as UpstreamAck).ack.id === 'mq-1',
        ),
      10_000,
      'the ack through Mosquitto',
    );
    assert.equal((ack.body as UpstreamAck).ack, { id: 'mq-1', ok: true });

    dev.stream.destroy(); // Mosquitto publishes the will
    const left = await backend.until(
      () => presence(backend.messages).find((e) => e.device === deviceId && !e.online),
      15_000,
      'offline from the will',
    );
    assert.is(left.reason, 'lost');
  } finally {
    dev.end(true);
    await gw.cleanup();
    // Leave Mosquitto as it was: clear what this run retained.
    for (const topic of [`fs/v1/${deviceId}/status`, `fs/gw/v1/${gatewayId}/devices`]) {
      await new Promise<void>((r) =>
        backend.client.publish(topic, '', { qos: 1, retain: true }, () => r()),
      );
    }
    await backend.close();
    const cleaner = await connect(MOSQUITTO, {
      clientId: `fs-gw-${gatewayId}-devices`,
      clean: true,
    });
    await end(cleaner); // ends the gateway's persistent session on Mosquitto
  }
});

test.run();
