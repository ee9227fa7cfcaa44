/** node-red-node-test-helper: `fullstack ota` against a real broker, loaded from its bundle. */
import * as assert from 'uvu/assert';
import { upstreamTopic } from '../../contract/topics.js';
import { type Harness, harnessSuite, loadWired, until } from './node-harness.js';
import { GATEWAY } from './upstream-fixtures.js';

const test = harnessSuite('nodes: fullstack ota');

const publishEvent = (h: Harness, payload: unknown) =>
  h.gateway.publishAsync(
    upstreamTopic(GATEWAY, 'events'),
    typeof payload === 'string' ? payload : JSON.stringify(payload),
    { qos: 1 },
  );

const step = (device: string, phase: string, sent: number, ts: number, detail?: string) => ({
  type: 'ota',
  device,
  phase,
  fw: 'fw-2',
  sent,
  total: 400,
  ts,
  ...(detail ? { detail } : {}),
});

test('changes mode: one message per step; malformed events are ignored and counted', async ({
  h,
}) => {
  const got = await loadWired(h, {
    id: 'ota',
    type: 'fullstack ota',
    devices: 'pi-1',
    mode: 'changes',
  });
  await publishEvent(h, '{not json');
  await publishEvent(h, { ...step('pi-1', 'sending', 500, 1), total: 400 });
  await publishEvent(h, step('pi-1', 'starting', 0, 10));
  await publishEvent(h, step('other', 'starting', 0, 10));
  await publishEvent(h, step('pi-1', 'sending', 100, 11));
  await publishEvent(h, step('pi-1', 'done', 400, 12, 'pi-1 runs fw-2'));
  await until(() => got.length >= 3, 'three steps of pi-1');
  assert.equal(
    got.map((m) => [m.topic, (m.payload as { text: string }).text]),
    [
      ['pi-1', 'updating to fw-2: starting'],
      ['pi-1', 'updating 25%'],
      ['pi-1', 'updated to fw-2'],
    ],
  );
  const backend = h.helper.getNode('backend').backend;
  assert.is(backend.ota.stats().malformed, 2);
  const status = h.helper.getNode('ota').status.lastCall.args[0];
  assert.is(status.fill, 'green');
  assert.is(status.text, '0 updating · 2 malformed event(s) ignored');
});

test('fleet mode: every device’s update as one message; any input asks for it', async ({ h }) => {
  const got = await loadWired(h, {
    id: 'ota',
    type: 'fullstack ota',
    mode: 'fleet',
    throttle: 0,
  });
  await publishEvent(h, step('pi-1', 'sending', 200, 20));
  await publishEvent(h, step('esp-2', 'failed', 0, 21, 'esp-2 refused the update: offline'));
  await until(() => got.length >= 2, 'two snapshots');
  const last = got.at(-1)!;
  assert.is(last.topic, 'ota');
  assert.equal(
    (last.payload as Array<{ device: string; state: string; percent: number }>).map((p) => [
      p.device,
      p.state,
      p.percent,
    ]),
    [
      ['esp-2', 'failed', 0],
      ['pi-1', 'updating', 50],
    ],
  );
  h.helper.getNode('ota').receive({ topic: 'hello' });
  await until(() => got.length >= 3, 'the answer to an input');
  assert.is(got.at(-1)!.topic, 'ota');
  assert.is((got.at(-1)!.payload as unknown[]).length, 2);
  assert.match(h.helper.getNode('ota').status.lastCall.args[0].text, /^1 updating$/);
});

test.run();
