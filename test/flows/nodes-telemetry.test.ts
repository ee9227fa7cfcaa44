/** node-red-node-test-helper: `fullstack in` and `fullstack presence` against a real broker. */
import * as assert from 'uvu/assert';
import { upstreamTopic } from '../../contract/index.js';
import {
  backendConfig,
  collect,
  connected,
  type Harness,
  harnessSuite,
  loadWired,
  until,
} from './node-harness.js';
import { batch, diff, full, GATEWAY, online, reading } from './upstream-fixtures.js';

const test = harnessSuite('nodes: fullstack in, fullstack presence');

const publish = (h: Harness, kind: 'telemetry' | 'presence' | 'devices', payload: unknown) =>
  h.gateway.publishAsync(upstreamTopic(GATEWAY, kind), JSON.stringify(payload), { qos: 1 });

test('fullstack in: one message per reading, filtered by device and sensor', async ({ h }) => {
  const got = await loadWired(h, {
    id: 'in',
    type: 'fullstack in',
    devices: 'greenhouse',
    sensors: 'temperature',
    mode: 'reading',
  });
  await publish(
    h,
    'telemetry',
    batch([
      reading('greenhouse', { temperature: 21.5, light: 300 }, 1000),
      reading('workshop', { temperature: 18 }, 1000),
      { ...reading('greenhouse', { temperature: 5 }, 900), historical: true },
    ]),
  );
  await until(() => got.length >= 1, 'a reading');
  await new Promise((resolve) => setTimeout(resolve, 100));
  assert.equal(got.length, 1);
  assert.is(got[0]?.topic, 'greenhouse/temperature');
  assert.is(got[0]?.payload, 21.5);
  assert.is(got[0]?.device, 'greenhouse');
  assert.is(got[0]?.gateway, GATEWAY);
  assert.is(got[0]?.ts, 1000);
  const status = h.helper.getNode('in').status.lastCall.args[0];
  assert.is(status.fill, 'green');
  assert.match(status.text, /greenhouse\/temperature/);
});

test('fullstack in: message mode passes telemetry items with only the chosen sensors', async ({
  h,
}) => {
  const got = await loadWired(h, {
    id: 'in',
    type: 'fullstack in',
    sensors: 'light',
    mode: 'message',
  });
  await publish(
    h,
    'telemetry',
    batch([reading('greenhouse', { temperature: 21.5, light: 300 }, 2000)]),
  );
  await until(() => got.length >= 1, 'a message');
  const item = got[0]?.payload as { device: string; readings: Record<string, unknown> };
  assert.is(item.device, 'greenhouse');
  assert.equal(item.readings, { light: 300 });
});

test('fullstack presence: changes carry the reason; fleet mode sends every device', async ({
  h,
}) => {
  await h.helper.load(h.nodes, [
    backendConfig(h),
    {
      id: 'presence',
      type: 'fullstack presence',
      backend: 'backend',
      mode: 'changes',
      wires: [['changes']],
    },
    {
      id: 'fleetNode',
      type: 'fullstack presence',
      backend: 'backend',
      mode: 'fleet',
      wires: [['fleetOut']],
    },
    { id: 'changes', type: 'helper' },
    { id: 'fleetOut', type: 'helper' },
  ]);
  const changes = collect(h, 'changes');
  const fleets = collect(h, 'fleetOut');
  await connected(h, 'presence');
  await publish(h, 'devices', full([online('greenhouse'), online('workshop')]));
  await until(() => changes.length >= 2, 'two joins');
  await publish(
    h,
    'presence',
    diff([{ device: 'workshop', online: false, reason: 'unplugged', since: 5 }]),
  );
  await until(() => changes.length >= 3, 'a leave');
  const leave = changes[2]?.payload as { device: string; online: boolean; reason: string };
  assert.equal([leave.device, leave.online, leave.reason], ['workshop', false, 'unplugged']);
  // Fleet snapshots are coalesced (at most one per throttle interval): wait for the one after the leave.
  type Fleet = Array<{ device: string; online: boolean }>;
  const latest = () => fleets[fleets.length - 1]?.payload as Fleet | undefined;
  await until(
    () => latest()?.find((d) => d.device === 'workshop')?.online === false,
    'a fleet with the leave',
  );
  const last = fleets[fleets.length - 1]?.payload as Array<{
    device: string;
    online: boolean;
    board: string;
  }>;
  assert.equal(
    last.map((d) => [d.device, d.online]),
    [
      ['greenhouse', true],
      ['workshop', false],
    ],
  );
  assert.is(last[0]?.board, 'uno');
  assert.match(h.helper.getNode('presence').status.lastCall.args[0].text, /1\/2 online/);

  // Any input asks for the current fleet (a dashboard that just opened).
  const before = fleets.length;
  h.helper.getNode('fleetNode').receive({ topic: 'hello' });
  await until(() => fleets.length > before, 'the fleet on request');
  assert.is((fleets[fleets.length - 1]!.payload as unknown[]).length, 2);
});

test('a node without a backend says so in its status', async ({ h }) => {
  await h.helper.load(h.nodes, [
    { id: 'in', type: 'fullstack in', backend: 'missing', wires: [[]] },
  ]);
  const status = h.helper.getNode('in').status.lastCall.args[0];
  assert.equal([status.fill, status.text], ['red', 'no backend configured']);
});

test.run();
