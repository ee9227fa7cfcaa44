import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { readDeadLetters } from '../../cli/commands/deadletters.js';
import type { TelemetryBatch } from '../../contract/index.js';
import { mayPublish } from '../../gateway/acl.js';
import { anonymousAllowed, isLoopback } from '../../gateway/broker.js';
import { CredentialStore } from '../../gateway/credentials.js';
import {
  connect,
  device,
  end,
  listener,
  publish,
  reading,
  testGateway,
  waitFor,
} from './gateway-helpers.js';

const test = suite('gateway: authentication and ACL (Mosquitto 2.0 rules)');

test('only loopback listeners count as loopback', () => {
  for (const host of ['127.0.0.1', '127.0.1.1', '::1', 'localhost'])
    assert.ok(isLoopback(host), host);
  for (const host of ['0.0.0.0', '::', '192.168.1.5', 'gateway.local'])
    assert.not.ok(isLoopback(host), host);
});

test('on loopback an anonymous device may connect and publish its own data', async () => {
  const gw = await testGateway();
  try {
    assert.ok(gw.parts.allowAnonymous);
    const dev = await device(gw.mqttUrl, 'anon-1');
    await publish(dev, 'fs/v1/anon-1/telemetry', reading(1));
    await end(dev);
  } finally {
    await gw.cleanup();
  }
});

test('beyond loopback anonymous clients are refused; provisioned credentials work; wrong ones do not', async () => {
  // Tests listen on 127.0.0.1 only; `never` takes the code path a non-loopback host takes.
  const gwWide = await testGateway({ settings: { anonymous: 'never' } });
  try {
    assert.not.ok(gwWide.parts.allowAnonymous);
    const refused = await connect(gwWide.mqttUrl, { clientId: 'anon' }).then(
      () => 'connected',
      (error: Error) => error.message,
    );
    assert.match(refused, /Not authorized/i);
    const issued = await new CredentialStore(gwWide.dir).provision('dev-1');
    const wrong = await connect(gwWide.mqttUrl, {
      clientId: 'dev-1',
      username: 'dev-1',
      password: 'nope',
    }).then(
      () => 'connected',
      (error: Error) => error.message,
    );
    assert.match(wrong, /Bad username or password/i);
    const dev = await device(gwWide.mqttUrl, 'dev-1', {
      username: issued.username,
      password: issued.password,
    });
    await publish(dev, 'fs/v1/dev-1/telemetry', reading(1));
    await end(dev);
    // Revoked while connected: the connection is closed, and the next one is refused.
    const connected = await device(gwWide.mqttUrl, 'dev-1', {
      username: issued.username,
      password: issued.password,
    });
    const closed = new Promise<void>((resolve) => connected.once('close', () => resolve()));
    new CredentialStore(gwWide.dir).revoke('dev-1');
    await closed;
    await waitFor(
      () => gwWide.parts.presence?.get('dev-1')?.online === false,
      5000,
      'dev-1 offline',
    );
    const revoked = await connect(gwWide.mqttUrl, {
      clientId: 'dev-1',
      username: issued.username,
      password: issued.password,
    }).then(
      () => 'connected',
      (error: Error) => error.message,
    );
    assert.match(revoked, /Bad username or password/i);
  } finally {
    await gwWide.cleanup();
  }
});

test('ACL: the backend service may publish upstream commands and its own alerts, nothing device-side', () => {
  const backend = { kind: 'service', name: 'backend' } as const;
  assert.ok(mayPublish(backend, 'fs/gw/v1/local/cmd', 'local').ok);
  assert.ok(mayPublish(backend, 'fs/backend/v1/alerts/event', 'local').ok);
  assert.ok(mayPublish(backend, 'fs/backend/v1/alerts/active', 'local').ok);
  const asDevice = mayPublish(backend, 'fs/v1/sim-1/telemetry', 'local');
  assert.not.ok(asDevice.ok);
  if (!asDevice.ok)
    assert.match(asDevice.detail, /may publish under fs\/gw\/v1\/local\/ and fs\/backend\/v1\//);
  assert.not.ok(mayPublish(backend, 'fs/gw/v1/other/cmd', 'local').ok);
});

test('the anonymous rule follows the host: never beyond loopback, whatever the setting', () => {
  assert.ok(anonymousAllowed('127.0.0.1', 'auto'));
  assert.not.ok(anonymousAllowed('127.0.0.1', 'never'));
  assert.not.ok(anonymousAllowed('0.0.0.0', 'auto'));
  assert.not.ok(anonymousAllowed('192.168.1.5', 'auto'));
});

test("ACL: a device may not publish as another, nor subscribe to another one's commands", async () => {
  const gw = await testGateway({ settings: { anonymous: 'never' } });
  try {
    const store = new CredentialStore(gw.dir);
    const a = await store.provision('dev-a');
    await store.provision('dev-b');
    const backend = await listener(
      gw.mqttUrl,
      ['fs/gw/v1/local/telemetry', 'fs/v1/dev-b/#'],
      gw.backend,
    );
    const devA = await device(gw.mqttUrl, 'dev-a', { username: a.username, password: a.password });
    await publish(devA, 'fs/v1/dev-b/telemetry', reading(1, 666));
    await publish(devA, 'fs/v1/dev-b/status', { online: false, reason: 'clean' }, true);
    await publish(devA, 'fs/v1/dev-a/telemetry', reading(1, 1));
    await backend.until(() =>
      backend.messages.some(
        (m) =>
          m.topic.endsWith('/telemetry') &&
          (m.body as TelemetryBatch).items.some((i) => i.device === 'dev-a'),
      ),
    );
    const forged = backend.messages.filter(
      (m) =>
        m.topic.startsWith('fs/v1/dev-b/') ||
        (m.topic.endsWith('telemetry') &&
          (m.body as TelemetryBatch).items?.some((i) => i.device === 'dev-b')),
    );
    assert.equal(forged, [], 'nothing published as dev-b went anywhere');
    const letters = readDeadLetters(gw.dir, { device: 'dev-a', reason: 'forbidden' });
    assert.is(letters.length, 2);
    assert.match(letters[0]?.detail ?? '', /device dev-a may not publish as device dev-b/);
    const subscribe = (topic: string) =>
      new Promise<string>((resolve) =>
        devA.subscribe(topic, { qos: 1 }, (error, g) =>
          resolve(error ? `refused: ${error.message}` : `granted ${g?.[0]?.qos}`),
        ),
      );
    assert.match(await subscribe('fs/v1/dev-b/cmd'), /^refused/);
    assert.match(await subscribe('fs/v1/#'), /^refused/);
    assert.is(await subscribe('fs/v1/dev-a/cmd'), 'granted 1');
    // A device credential cannot pass for the backend on the upstream command topic.
    await publish(devA, 'fs/gw/v1/local/cmd', { device: 'dev-b', id: 'x', name: 'ping', args: {} });
    assert.ok(readDeadLetters(gw.dir, { device: 'dev-a', reason: 'topic' }).length === 1);
    await Promise.all([end(devA), backend.close()]);
  } finally {
    await gw.cleanup();
  }
});

test('on loopback an anonymous client may not take over a device that is online elsewhere', async () => {
  const gw = await testGateway();
  try {
    const real = await device(gw.mqttUrl, 'dev-a');
    const intruder = await connect(gw.mqttUrl, { clientId: 'qa-intruder' });
    await publish(intruder, 'fs/v1/dev-a/telemetry', reading(7, 99));
    const letters = await waitFor(() => {
      const found = readDeadLetters(gw.dir, { device: 'dev-a', reason: 'forbidden' });
      return found.length > 0 ? found : undefined;
    });
    assert.match(letters[0]?.detail ?? '', /anonymous client "qa-intruder" may not publish as it/);
    assert.ok(real.connected, 'the real device was not kicked off');
    await Promise.all([end(real), end(intruder)]);
  } finally {
    await gw.cleanup();
  }
});

test.run();
