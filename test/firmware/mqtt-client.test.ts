/**
 * The Espruino MQTT 3.1.1 client against a real broker (Aedes), over a real TCP socket shaped
 * like Espruino's `net` (strings of bytes): CONNECT with will and credentials, QoS 1 publish
 * completed by PUBACK, subscribe and receive (with PUBACK of a QoS 1 delivery), the will on a
 * lost link, pending publishes failed when the link drops, and keepalive pings. Strings are bytes
 * (UTF-8 encoded by the build where they are not ASCII), as Espruino sockets carry them.
 */
import * as assert from 'node:assert/strict';
import { connect as tcpConnect } from 'node:net';
import mqtt from 'mqtt';
import { suite } from 'uvu';
import type { ConnectOptions, TransportEvents } from '../../firmware/core/types.js';
import { utf8Bytes } from '../../firmware/espruino/build.js';
import {
  connectPacket,
  createMqttTransport,
  type MqttCredentials,
  type NetConnect,
  packet,
} from '../../firmware/espruino/mqtt-client.js';
import { startTestBroker, type TestBroker } from '../helpers/broker.js';

/** Espruino's net.connect, over Node's: data as latin1 strings. */
const espruinoNet: NetConnect = (options, connected) => {
  const socket = tcpConnect(options, connected);
  const handlers: Record<string, ((d: string) => void)[]> = {};
  const emit = (event: string, data: string) => {
    for (const fn of handlers[event] ?? []) fn(data);
  };
  socket.on('data', (d) => emit('data', d.toString('latin1')));
  socket.on('error', (e) => emit('error', e.message));
  socket.on('close', () => emit('close', ''));
  return {
    write: (data) => socket.write(Buffer.from(data, 'latin1')),
    end: () => socket.destroy(),
    on: (event, fn) => {
      handlers[event] ??= [];
      handlers[event].push(fn);
    },
  };
};

function options(id: string, keepaliveS = 30): ConnectOptions {
  return {
    clientId: id,
    keepaliveS,
    willTopic: `fs/v1/${id}/status`,
    willPayload: '{"online":false,"reason":"lost"}',
  };
}

const credentials: MqttCredentials = {
  username: 'user',
  // The client takes byte strings: the build encodes what is not ASCII (utf8Bytes).
  password: utf8Bytes('pässword'),
};

function transportFor(broker: TestBroker) {
  return createMqttTransport({
    host: '127.0.0.1',
    port: broker.port,
    ...credentials,
    netConnect: espruinoNet,
    setTimeout,
    clearTimeout,
  });
}

function events(): TransportEvents & {
  connects: number;
  closes: string[];
  messages: [string, string][];
} {
  const e = {
    connects: 0,
    closes: [] as string[],
    messages: [] as [string, string][],
    connected() {
      e.connects++;
    },
    closed(reason: string) {
      e.closes.push(reason);
    },
    received(topic: string, payload: string) {
      e.messages.push([topic, payload]);
    },
  };
  return e;
}

async function until(check: () => boolean, what: string, ms = 5000): Promise<void> {
  const end = Date.now() + ms;
  while (!check()) {
    if (Date.now() > end) throw new Error(`timed out: ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

const test = suite('Espruino MQTT client');

test('encodes the remaining length in 7-bit groups and strings as UTF-8', () => {
  assert.equal(packet(0x30, 'x'.repeat(321)).slice(0, 3), '\x30\xc1\x02');
  assert.equal(utf8Bytes('°C'), '\xc2\xb0C');
  const connect = connectPacket(options('a'), credentials);
  assert.equal(connect.charCodeAt(0), 0x10);
  // Flags: username, password, will retain, will QoS 1, will, clean session.
  assert.equal(connect.charCodeAt(9), 0x80 | 0x40 | 0x20 | 0x08 | 0x04 | 0x02);
});

test('connects with credentials; QoS 1 publish completes on PUBACK; subscribe and receive', async () => {
  const broker = await startTestBroker();
  let credentials = '';
  broker.aedes.authenticate = (_client, username, password, done) => {
    credentials = `${username}:${password?.toString('utf8')}`;
    done(null, true);
  };
  const observer = await mqtt.connectAsync(broker.url);
  const seen: string[] = [];
  observer.on('message', (topic, payload) => seen.push(`${topic} ${payload.toString()}`));
  await observer.subscribeAsync('fs/#');
  const transport = transportFor(broker);
  const e = events();
  try {
    transport.open(options('mc-1'), e);
    await until(() => e.connects === 1, 'CONNACK');
    assert.equal(credentials, 'user:pässword');
    const acked = await new Promise<string | null>((resolve) =>
      transport.publish('fs/v1/mc-1/telemetry', utf8Bytes('{"t":"21 °C"}'), 1, resolve),
    );
    assert.equal(acked, null);
    await until(() => seen.length > 0, 'delivery');
    assert.equal(seen[0], 'fs/v1/mc-1/telemetry {"t":"21 °C"}');
    const subscribed = await new Promise<string | null>((resolve) =>
      transport.subscribe('fs/v1/mc-1/cmd', resolve),
    );
    assert.equal(subscribed, null);
    await observer.publishAsync('fs/v1/mc-1/cmd', '{"id":"x"}', { qos: 1 });
    await until(() => e.messages.length > 0, 'a command');
    assert.deepEqual(e.messages[0], ['fs/v1/mc-1/cmd', '{"id":"x"}']);
    transport.end(() => {});
    await new Promise((r) => setTimeout(r, 100));
    assert.ok(!seen.some((s) => s.includes('"lost"')), 'a clean DISCONNECT does not fire the will');
  } finally {
    await observer.endAsync();
    await broker.close();
  }
});

test('a dropped link: the will fires, pending publishes fail, closed is reported once', async () => {
  const broker = await startTestBroker();
  const observer = await mqtt.connectAsync(broker.url);
  const seen: string[] = [];
  observer.on('message', (topic, payload) => seen.push(`${topic} ${payload.toString()}`));
  await observer.subscribeAsync('fs/#');
  const transport = transportFor(broker);
  const e = events();
  try {
    transport.open(options('mc-2'), e);
    await until(() => e.connects === 1, 'CONNACK');
    // Stop the broker from answering, then cut the link under a pending QoS 1 publish.
    const client = (
      broker.aedes as unknown as { clients: Record<string, { conn: { destroy(): void } }> }
    ).clients['mc-2'];
    let failed: string | null = 'not called';
    broker.aedes.authorizePublish = (_c, packet, done) => {
      // Telemetry is never answered, so its PUBACK never comes; the will goes through.
      if (packet.topic !== 'fs/v1/mc-2/telemetry') done(null);
    };
    transport.publish('fs/v1/mc-2/telemetry', '{}', 1, (error) => {
      failed = error;
    });
    await new Promise((r) => setTimeout(r, 50));
    client!.conn.destroy();
    await until(() => e.closes.length > 0, 'closed');
    assert.equal(failed, 'connection closed');
    await until(() => seen.some((s) => s.includes('"lost"')), 'the will');
    await new Promise((r) => setTimeout(r, 100));
    assert.equal(e.closes.length, 1);
  } finally {
    await observer.endAsync();
    await broker.close();
  }
});

test('packets split anywhere, even inside the remaining length, are taken whole', () => {
  const written: string[] = [];
  const listeners: Record<string, (data: string) => void> = {};
  let up = () => {};
  const transport = createMqttTransport({
    host: 'broker',
    port: 1883,
    username: null,
    password: null,
    netConnect: (_options, connected) => {
      up = connected;
      return {
        write: (data) => written.push(data),
        end: () => {},
        on: (event, fn) => {
          listeners[event] = fn;
        },
      };
    },
    setTimeout: () => null,
    clearTimeout: () => {},
  });
  const e = events();
  transport.open(options('split'), e);
  up();
  assert.equal(written[0]?.charCodeAt(0), 0x10, 'the CONNECT once the socket is up');
  const payload = `{"id":"${'x'.repeat(150)}"}`;
  const topic = 'fs/v1/split/cmd';
  // CONNACK, then a QoS 1 PUBLISH (packet id 7) whose remaining length takes two bytes.
  const publish = packet(0x32, `\0${String.fromCharCode(topic.length)}${topic}\0\x07${payload}`);
  assert.ok(publish.charCodeAt(1) & 0x80, 'a two-byte remaining length');
  const stream = `\x20\x02\0\0${publish}`;
  for (const byte of stream) listeners.data?.(byte);
  assert.equal(e.connects, 1);
  assert.deepEqual(e.messages, [[topic, payload]]);
  assert.equal(written.at(-1), '\x40\x02\0\x07', 'the PUBACK of packet 7');
  listeners.close?.('');
  assert.equal(e.closes.length, 1);
});

test('refused connections and keepalive pings', async () => {
  const broker = await startTestBroker();
  const transport = transportFor(broker);
  const e = events();
  let pings = 0;
  broker.aedes.on('ping', () => {
    pings++;
  });
  try {
    transport.open(options('mc-3', 1), e);
    await until(() => e.connects === 1, 'CONNACK');
    await until(() => pings >= 1, 'a PINGREQ within the keepalive', 3000);
    assert.equal(e.closes.length, 0, 'PINGRESP keeps the link up');
    transport.end(() => {});
  } finally {
    await broker.close();
  }
  const refused = createMqttTransport({
    host: '127.0.0.1',
    port: broker.port,
    ...credentials,
    netConnect: espruinoNet,
    setTimeout,
    clearTimeout,
  });
  const r = events();
  refused.open(options('mc-4'), r);
  await until(() => r.closes.length > 0, 'a refused connection reported as closed');
  assert.equal(r.connects, 0);
});

test.run();
