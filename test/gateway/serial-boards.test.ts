import { SerialPortMock } from 'serialport';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import type {
  PresenceDiff,
  PresenceEntry,
  PresenceFull,
  TelemetryBatch,
  UpstreamAck,
} from '../../contract/index.js';
import type { SerialBinding } from '../../firmware/flash/uploader.js';
import { FIRMATA_BAUD } from '../../firmware/node/firmata-device.js';
import type { SerialLike } from '../../firmware/node/firmata-io.js';
import { serialPortAccess, systemSerialPorts } from '../../gateway/serial/ports.js';
import { loadDeviceConfig } from '../../hardware/config/index.js';
import { createVirtualFirmataBoard } from '../../hardware/virtual/firmata/index.js';
import { repoPath } from '../../lib/paths.js';
import { listener, publish, testGateway, waitFor } from './gateway-helpers.js';

const test = suite('gateway: a virtual Firmata board on a serial port, unplugged and replugged');

const PATH = '/dev/ttyFS-GW-TEST0';
const mockPorts = serialPortAccess(
  SerialPortMock.binding as unknown as SerialBinding,
  (path) => new SerialPortMock({ path, baudRate: FIRMATA_BAUD }) as unknown as SerialLike,
);

/** Presence as the backend sees it: full states (`devices`) and diffs (`presence`), in order. */
function changes(messages: Array<{ topic: string; body: unknown }>): PresenceEntry[] {
  return messages.flatMap((m) => {
    if (m.topic.endsWith('/presence')) return (m.body as PresenceDiff).changes;
    if (m.topic.endsWith('/devices')) return (m.body as PresenceFull).devices;
    return [];
  });
}

test('hosted board: online via serial, readings flow, unplug → unplugged within 1 s, replug → back with its LED on', async () => {
  const devicePath = repoPath('hardware', 'devices', 'sim-1.json');
  const board = createVirtualFirmataBoard({ device: loadDeviceConfig(devicePath) });
  await board.attachMock(PATH);
  const gw = await testGateway({
    serialPorts: mockPorts,
    settings: {
      serial: { enabled: true, scanMs: 100, boards: [{ port: PATH, device: devicePath }] },
    },
  });
  const backend = await listener(gw.mqttUrl, ['fs/gw/v1/local/#'], gw.backend);
  try {
    await backend.until(
      () => changes(backend.messages).find((c) => c.device === 'sim-1' && c.online && c.birth),
      20_000,
      'sim-1 online with its birth',
    );
    assert.is(gw.parts.presence?.get('sim-1')?.via, 'serial');
    await backend.until(
      () =>
        backend.messages.some(
          (m) =>
            m.topic.endsWith('/telemetry') &&
            (m.body as TelemetryBatch).items.some((i) => i.device === 'sim-1'),
        ),
      20_000,
      'a reading from the board',
    );

    await publish(backend.client, 'fs/gw/v1/local/cmd', {
      device: 'sim-1',
      id: 'fan-on',
      name: 'set',
      args: { actuator: 'fan_led', value: true },
    });
    const ack = await backend.until(() =>
      backend.messages.find(
        (m) => m.topic.endsWith('/ack') && (m.body as UpstreamAck).ack.id === 'fan-on',
      ),
    );
    assert.is((ack.body as UpstreamAck).ack.ok, true);
    await waitFor(() => board.pinState('13').value === 1, 5000, 'pin 13 high');

    const before = changes(backend.messages).length;
    const unpluggedAt = Date.now();
    board.unplug();
    // The bound: offline with reason `unplugged` within 1 s.
    const left = await backend.until(
      () =>
        changes(backend.messages)
          .slice(before)
          .find((c) => c.device === 'sim-1' && !c.online),
      1000,
      'sim-1 offline within 1 s of the unplug',
    );
    assert.is(left.reason, 'unplugged');
    assert.ok(Date.now() - unpluggedAt <= 1000);
    assert.equal(
      gw.parts.supervisor?.status().every((c) => c.state === 'running'),
      true,
      'the gateway did not notice beyond the board',
    );

    await board.replug();
    assert.is(board.pinState('13').value, 0, 'the replugged board boots with the LED off');
    await backend.until(
      () =>
        changes(backend.messages)
          .slice(before)
          .find((c) => c.device === 'sim-1' && c.online),
      20_000,
      'sim-1 back online',
    );
    await waitFor(() => board.pinState('13').value === 1, 10_000, 'the LED state re-applied');
    assert.is(board.pinState('13').mode, 'OUTPUT');
  } finally {
    await backend.close();
    await gw.cleanup();
    await board.close();
  }
});

test('over a real pseudo-terminal with the real binding: unplug and replug', async () => {
  const devicePath = repoPath('hardware', 'devices', 'sim-1.json');
  const board = createVirtualFirmataBoard({ device: loadDeviceConfig(devicePath) });
  const pty = await board.openPty();
  const gw = await testGateway({
    serialPorts: systemSerialPorts(),
    settings: {
      serial: { enabled: true, scanMs: 100, boards: [{ port: pty.path, device: devicePath }] },
    },
  });
  try {
    await waitFor(
      () => gw.parts.presence?.get('sim-1')?.online && gw.parts.presence.get('sim-1')?.birth,
      20_000,
      'online over the pty',
    );
    board.unplug();
    await waitFor(() => gw.parts.presence?.get('sim-1')?.reason === 'unplugged', 5000, 'unplugged');
    assert.equal(
      gw.parts.supervisor?.status().map((c) => c.state),
      Array(6).fill('running'),
    );
    await board.replug();
    await waitFor(
      () => gw.parts.presence?.get('sim-1')?.online,
      20_000,
      'back online over the new pty',
    );
  } finally {
    await gw.cleanup();
    await pty.close();
    await board.close();
  }
});

test('a port list that fails (no udevadm, as in a container) still finds a configured port by its path', async () => {
  const devicePath = repoPath('hardware', 'devices', 'sim-3.json');
  const board = createVirtualFirmataBoard({ device: loadDeviceConfig(devicePath) });
  const pty = await board.openPty();
  let lists = 0;
  const gw = await testGateway({
    serialPorts: {
      ...systemSerialPorts(),
      list: async () => {
        lists++;
        throw new Error('spawn udevadm ENOENT');
      },
    },
    settings: {
      serial: { enabled: true, scanMs: 100, boards: [{ port: pty.path, device: devicePath }] },
    },
  });
  try {
    await waitFor(
      () => gw.parts.presence?.get('sim-3')?.online && gw.parts.presence.get('sim-3')?.birth,
      20_000,
      'online over the pty while every port list fails',
    );
    assert.ok(lists > 0, 'the gateway did try to list the ports');
  } finally {
    await gw.cleanup();
    await pty.close();
    await board.close();
  }
});

test('a configured port that never appears, or vanishes while listed, does not crash the gateway', async () => {
  const devicePath = repoPath('hardware', 'devices', 'sim-2.json');
  const gw = await testGateway({
    serialPorts: mockPorts,
    settings: {
      serial: {
        enabled: true,
        scanMs: 50,
        boards: [{ port: '/dev/ttyNOWHERE', device: devicePath }],
      },
    },
  });
  try {
    await new Promise((r) => setTimeout(r, 300));
    assert.equal(gw.parts.serial?.status(), [
      { device: 'sim-2', port: '/dev/ttyNOWHERE', state: 'absent' },
    ]);
    const health = (await (await fetch(`${gw.httpUrl}/health`)).json()) as {
      children: Array<{ state: string }>;
    };
    assert.ok(health.children.every((c) => c.state === 'running'));
  } finally {
    await gw.cleanup();
  }
});

test.run();
