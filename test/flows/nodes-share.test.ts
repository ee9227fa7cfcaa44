/**
 * node-red-node-test-helper: two backends in one share group split the telemetry (an MQTT
 * shared subscription), while presence reaches both. Needs Mosquitto on 127.0.0.1:1883 (Aedes,
 * the test broker, has no shared subscriptions); skipped with a message elsewhere, required in CI.
 */
import { randomBytes } from 'node:crypto';
import mqtt from 'mqtt';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { upstreamTopic } from '../../contract/index.js';
import { subscriptionFor } from '../../flows/lib/backend.js';
import { mosquittoAvailable } from '../helpers/broker.js';
import { collect, type Harness, startHarness, until } from './node-harness.js';
import { batch, diff, online, reading } from './upstream-fixtures.js';

const test = suite<{ h: Harness }>('nodes: shared telemetry subscription');
const MOSQUITTO = 'mqtt://127.0.0.1:1883';

test('subscriptionFor shares only telemetry, and refuses a bad group', () => {
  assert.is(subscriptionFor('telemetry', '+', 'g1'), '$share/g1/fs/gw/v1/+/telemetry');
  assert.is(subscriptionFor('presence', '+', 'g1'), 'fs/gw/v1/+/presence');
  assert.is(subscriptionFor('telemetry', 'gw', undefined), 'fs/gw/v1/gw/telemetry');
  assert.throws(
    () => subscriptionFor('telemetry', '+', 'a/b'),
    /share group "a\/b" does not match/,
  );
});

test('two backends in one group split telemetry; both hear presence', async () => {
  if (!(await mosquittoAvailable())) return;
  const h = await startHarness();
  // A gateway id of its own: other suites may use the same Mosquitto.
  const gateway = `share-${randomBytes(4).toString('hex')}`;
  const group = `fs-test-${randomBytes(4).toString('hex')}`;
  const publisher = await mqtt.connectAsync(MOSQUITTO);
  try {
    const backend = (id: string) => ({
      id,
      type: 'fullstack-backend',
      url: MOSQUITTO,
      gateway,
      share: group,
    });
    await h.helper.load(h.nodes, [
      backend('b1'),
      backend('b2'),
      { id: 'in1', type: 'fullstack in', backend: 'b1', mode: 'message', wires: [['out1']] },
      { id: 'in2', type: 'fullstack in', backend: 'b2', mode: 'message', wires: [['out2']] },
      { id: 'p1', type: 'fullstack presence', backend: 'b1', mode: 'changes', wires: [['pres1']] },
      { id: 'p2', type: 'fullstack presence', backend: 'b2', mode: 'changes', wires: [['pres2']] },
      { id: 'out1', type: 'helper' },
      { id: 'out2', type: 'helper' },
      { id: 'pres1', type: 'helper' },
      { id: 'pres2', type: 'helper' },
    ]);
    const [got1, got2, pres1, pres2] = ['out1', 'out2', 'pres1', 'pres2'].map((id) =>
      collect(h, id),
    );
    const backends = ['b1', 'b2'].map((id) => h.helper.getNode(id).backend);
    await until(() => backends.every((b) => b.state === 'connected'), 'both backends subscribed');
    await publisher.publishAsync(
      upstreamTopic(gateway, 'presence'),
      JSON.stringify(diff([online('shared-dev')], gateway)),
      { qos: 1 },
    );
    for (let i = 0; i < 20; i++) {
      await publisher.publishAsync(
        upstreamTopic(gateway, 'telemetry'),
        JSON.stringify(batch([reading('shared-dev', { t: i })], gateway)),
        { qos: 1 },
      );
    }
    await until(
      () =>
        (got1?.length ?? 0) + (got2?.length ?? 0) >= 20 &&
        (pres1?.length ?? 0) >= 1 &&
        (pres2?.length ?? 0) >= 1,
      'all readings and both presences',
    );
    await new Promise((resolve) => setTimeout(resolve, 200));
    assert.is(
      (got1?.length ?? 0) + (got2?.length ?? 0),
      20,
      'each reading reached exactly one instance',
    );
    assert.ok(
      (got1?.length ?? 0) > 0 && (got2?.length ?? 0) > 0,
      `both got some: ${got1?.length} and ${got2?.length}`,
    );
  } finally {
    await publisher.endAsync();
    await h.close();
  }
});

test.run();
