import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { readDevices } from '../../cli/commands/devices.js';
import type { PresenceDiff, PresenceEntry, PresenceFull } from '../../contract/index.js';
import { birth, connect, device, end, listener, tempDir, testGateway } from './gateway-helpers.js';
import { rawClient } from './raw-mqtt.js';

const test = suite('gateway: presence with reasons');

type Backend = Awaited<ReturnType<typeof listener>>;

function changes(backend: Backend): PresenceEntry[] {
  return backend.messages
    .filter((m) => m.topic === 'fs/gw/v1/local/presence')
    .flatMap((m) => (m.body as PresenceDiff).changes);
}

function offlineReason(backend: Backend, id: string): Promise<string | undefined> {
  return backend.until(
    () => changes(backend).find((c) => c.device === id && !c.online)?.reason,
    10_000,
    `${id} offline`,
  );
}

test('clean, lost, keepalive and replaced, each with its reason, upstream and retained on status', async () => {
  const gw = await testGateway();
  try {
    const backend = await listener(gw.mqttUrl, ['fs/gw/v1/local/presence'], gw.backend);

    const clean = await device(gw.mqttUrl, 'clean-1');
    await end(clean);
    assert.is(await offlineReason(backend, 'clean-1'), 'clean');

    const lost = await device(gw.mqttUrl, 'lost-1');
    lost.stream.destroy(); // the socket dies without DISCONNECT
    assert.is(await offlineReason(backend, 'lost-1'), 'lost');

    const silent = await rawClient(gw.parts.mqttPort, 'silent-1', 1);
    silent.publishQos0('fs/v1/silent-1/status', JSON.stringify(birth()));
    await backend.until(
      () => changes(backend).find((c) => c.device === 'silent-1' && c.online),
      5000,
      'silent-1 online',
    );
    assert.is(await offlineReason(backend, 'silent-1'), 'keepalive');
    silent.socket.destroy();

    const first = await device(gw.mqttUrl, 'twin');
    const second = await device(gw.mqttUrl, 'twin'); // same client id: takes over
    assert.is(await offlineReason(backend, 'twin'), 'replaced');
    const twin = await backend.until(() => {
      // Transitions only: a birth after the join is an update of the same online state.
      const seen = changes(backend)
        .filter((c) => c.device === 'twin')
        .filter((c, i, all) => i === 0 || all[i - 1]?.online !== c.online);
      return seen.length >= 3 ? seen : undefined;
    });
    assert.equal(
      twin.map((c) => [c.online, c.reason]),
      [
        [true, undefined],
        [false, 'replaced'],
        [true, undefined],
      ],
      'online, replaced, online again',
    );
    assert.ok(gw.parts.presence?.isOnline('twin'), 'the new session is online');

    // The retained status on the device side says the same.
    const watcher = await listener(gw.mqttUrl, ['fs/v1/+/status']);
    const retained = await watcher.until(() =>
      watcher.messages.find((m) => m.topic === 'fs/v1/lost-1/status'),
    );
    assert.equal((retained.body as { online: boolean; reason: string }).reason, 'lost');
    await Promise.all([end(first, true), end(second), backend.close(), watcher.close()]);
  } finally {
    await gw.cleanup();
  }
});

test('stopping says gateway-stopping; a restart shows nobody stale online and sends the full state', async () => {
  const dir = tempDir();
  try {
    const gw = await testGateway({ dataDir: dir.path });
    const dev = await device(gw.mqttUrl, 'sleepy');
    await new Promise((r) => setTimeout(r, 50));
    assert.ok(gw.parts.presence?.isOnline('sleepy'));
    await gw.stop();
    const stored = readDevices(dir.path);
    assert.equal(
      stored.map((e) => [e.device, e.online, e.reason]),
      [['sleepy', false, 'gateway-stopping']],
    );
    dev.end(true);

    const again = await testGateway({ dataDir: dir.path });
    const backend = await listener(again.mqttUrl, ['fs/gw/v1/local/devices'], again.backend);
    const full = await backend.until(() =>
      backend.messages.find((m) => m.topic === 'fs/gw/v1/local/devices'),
    );
    const devices = (full.body as PresenceFull).devices;
    assert.equal(
      devices.map((e) => [e.device, e.online]),
      [['sleepy', false]],
    );
    await backend.close();
    await again.stop();
  } finally {
    dir.remove();
  }
});

test('an anonymous client bound to one device cannot speak for another', async () => {
  const gw = await testGateway();
  try {
    const dev = await connect(gw.mqttUrl, { clientId: 'multi' });
    await new Promise<void>((r) =>
      dev.publish('fs/v1/first/status', JSON.stringify(birth()), { qos: 1 }, () => r()),
    );
    await new Promise<void>((r) =>
      dev.publish('fs/v1/second/status', JSON.stringify(birth()), { qos: 1 }, () => r()),
    );
    assert.ok(gw.parts.presence?.isOnline('first'));
    assert.not.ok(gw.parts.presence?.get('second'));
    await end(dev);
  } finally {
    await gw.cleanup();
  }
});

test.run();
