import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import type { TelemetryBatch } from '../../contract/index.js';
import type { SupervisorEvent } from '../../gateway/supervisor/index.js';
import {
  device,
  end,
  listener,
  publish,
  reading,
  testGateway,
  waitFor,
} from './gateway-helpers.js';

const test = suite('gateway tree: rest_for_one restarts the failed part and those after it');

test('the broker fails: it, the forwarder, serial and http restart; the store and sessions keep running', async () => {
  const events: SupervisorEvent[] = [];
  const gw = await testGateway({ onEvent: (e) => events.push(e) });
  try {
    const dev = await device(gw.mqttUrl, 'tree-1');
    await publish(dev, 'fs/v1/tree-1/telemetry', reading(1));
    // Aedes reports a failure of its own (its persistence, say): the outermost edge, simulated.
    const aedes = gw.parts.broker?.aedes as unknown as NodeJS.EventEmitter | undefined;
    assert.ok(aedes, 'the embedded broker runs');
    aedes.emit('error', new Error('persistence failed'));
    await waitFor(
      () =>
        gw.parts.supervisor?.status().every((c) => c.state === 'running') &&
        events.filter((e) => e.type === 'child-started' && e.child === 'http').length === 2,
      10_000,
      'the tree running again',
    );
    const restarts = Object.fromEntries(
      (gw.parts.supervisor?.status() ?? []).map((c) => [c.id, c.restarts]),
    );
    assert.equal(restarts, { store: 0, sessions: 0, broker: 1, forwarder: 0, serial: 0, http: 0 });
    const restarted = events
      .filter((e) => e.type === 'child-started' && e.supervisor === 'gateway-local')
      .map((e) => (e as { child: string }).child);
    assert.equal(
      restarted.slice(-4),
      ['broker', 'forwarder', 'serial', 'http'],
      'later children restarted in order',
    );
    assert.not.ok(
      events.some((e) => e.type === 'child-stop-timeout'),
      'every part stopped within its time',
    );
    assert.is(
      gw.parts.presence?.get('tree-1')?.reason,
      'gateway-stopping',
      'its devices were dropped, with the reason',
    );
    // Same port, whole again: a device reconnects and its reading reaches the backend.
    const backend = await listener(gw.mqttUrl, ['fs/gw/v1/local/telemetry'], gw.backend);
    dev.end(true);
    const again = await device(gw.mqttUrl, 'tree-1');
    await publish(again, 'fs/v1/tree-1/telemetry', reading(2));
    await backend.until(() =>
      backend.messages.some((m) => (m.body as TelemetryBatch).items.some((i) => i.seq === 2)),
    );
    const metrics = await (await fetch(`${gw.httpUrl}/metrics`)).text();
    assert.match(metrics, /fs_gateway_child_restarts\{child="broker"\} 1/);
    await Promise.all([end(again), backend.close()]);
  } finally {
    await gw.cleanup();
  }
});

test.run();
