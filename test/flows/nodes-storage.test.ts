/** node-red-node-test-helper: `fullstack store`, `fullstack history`, `fullstack alerts`, `fullstack api`. */
import { join } from 'node:path';
import mqtt from 'mqtt';
import * as assert from 'uvu/assert';
import { upstreamTopic } from '../../contract/index.js';
import { createApiKey } from '../../flows/lib/api-keys.js';
import {
  backendConfig,
  collect,
  connected,
  type Harness,
  harnessSuite,
  nextMessage,
  until,
} from './node-harness.js';
import { batch, full, GATEWAY, online, reading } from './upstream-fixtures.js';

const test = harnessSuite('nodes: store, history, alerts, api');

const db = (h: Harness, name: string) => join(h.dir, `${name}.db`);

test('store writes telemetry once (repeats dropped); history reads it back by range and step', async ({
  h,
}) => {
  await h.helper.load(h.nodes, [
    backendConfig(h, { database: db(h, 'a') }),
    { id: 'in', type: 'fullstack in', backend: 'backend', mode: 'message', wires: [['store']] },
    { id: 'store', type: 'fullstack store', backend: 'backend', wires: [['stored']] },
    { id: 'stored', type: 'helper' },
    {
      id: 'history',
      type: 'fullstack history',
      backend: 'backend',
      device: 'greenhouse',
      range: 60,
      wires: [['rows']],
    },
    { id: 'rows', type: 'helper' },
  ]);
  const stored = collect(h, 'stored');
  await connected(h, 'in');
  const now = Date.now();
  const items = [0, 1, 2, 3].map((i) =>
    reading('greenhouse', { temperature: 20 + i, door: i % 2 === 0 }, now - 40_000 + i * 10_000),
  );
  await h.gateway.publishAsync(upstreamTopic(GATEWAY, 'telemetry'), JSON.stringify(batch(items)), {
    qos: 1,
  });
  // The same batch again, as after a gateway restart before its PUBACK: nothing new is stored.
  await h.gateway.publishAsync(upstreamTopic(GATEWAY, 'telemetry'), JSON.stringify(batch(items)), {
    qos: 1,
  });
  await until(() => stored.length === 8, 'eight store results');
  assert.is(
    stored.reduce((n, m) => n + Number(m.stored), 0),
    8,
  );
  assert.match(h.helper.getNode('store').status.lastCall.args[0].text, /8 stored/);

  const raw = nextMessage(h, 'rows');
  h.helper.getNode('history').receive({ payload: { sensor: 'temperature' } });
  const result = (await raw).payload as { series: Record<string, Array<{ value: number }>> };
  assert.equal(
    result.series.temperature?.map((p) => p.value),
    [20, 21, 22, 23],
  );
  assert.equal(Object.keys(result.series), ['temperature']);

  const bucketed = nextMessage(h, 'rows');
  h.helper.getNode('history').receive({ payload: { from: now - 40_000, to: now, step: '20s' } });
  const buckets = (await bucketed).payload as {
    step: number;
    series: Record<string, Array<{ count: number }>>;
  };
  assert.is(buckets.step, 20_000);
  assert.is(
    buckets.series.temperature?.reduce((n, p) => n + p.count, 0),
    4,
  );
  assert.ok((buckets.series.temperature?.length ?? 0) <= 3);
  assert.equal(Object.keys(buckets.series).sort(), ['door', 'temperature']);
});

test('alerts: raised above the threshold, cleared only past the hysteresis, published on MQTT', async ({
  h,
}) => {
  const rules = JSON.stringify([
    { id: 'hot', type: 'threshold', device: '*', sensor: 'temperature', above: 30, hysteresis: 2 },
  ]);
  await h.helper.load(h.nodes, [
    backendConfig(h),
    {
      id: 'alerts',
      type: 'fullstack alerts',
      backend: 'backend',
      rules,
      wires: [['events'], ['active']],
    },
    { id: 'events', type: 'helper' },
    { id: 'active', type: 'helper' },
  ]);
  await connected(h, 'alerts');
  const watcher = await mqtt.connectAsync(h.broker.url);
  const published: unknown[] = [];
  await watcher.subscribeAsync('fs/backend/v1/alerts/event');
  watcher.on('message', (_t, p) => published.push(JSON.parse(p.toString())));
  const events = collect(h, 'events');
  const active = collect(h, 'active');
  const node = h.helper.getNode('alerts');
  for (const value of [25, 31, 32, 29, 27.5]) {
    node.receive({ payload: value, device: 'greenhouse', sensor: 'temperature', ts: Date.now() });
  }
  await until(() => events.length >= 2 && published.length >= 2, 'raise and clear');
  const states = events.map((m) => (m.payload as { state: string; value: number }).state);
  assert.equal(states, ['raised', 'cleared']);
  assert.is(
    (events[1]!.payload as { value: number }).value,
    27.5,
    'cleared at 28 or below, not at 29',
  );
  assert.equal((active[0]!.payload as unknown[]).length, 1);
  assert.equal(active[active.length - 1]?.payload, []);
  // Asked later (a dashboard page opened after the fact), the recent events come too.
  node.receive({ topic: 'alerts' });
  await until(() => active.length >= 3, 'the answer to an ask');
  const answer = active[active.length - 1] as {
    payload: unknown[];
    events?: Array<{ state: string }>;
  };
  assert.equal(answer.payload, []);
  assert.equal(
    answer.events?.map((e) => e.state),
    ['cleared', 'raised'],
  );
  assert.is((published[0] as { rule: string }).rule, 'hot');
  await watcher.endAsync();
});

test('alerts: with a database, an alert still raised survives a restart and clears after it', async ({
  h,
}) => {
  const rules = JSON.stringify([
    { id: 'hot', type: 'threshold', device: '*', sensor: 'temperature', above: 30, hysteresis: 2 },
  ]);
  const flow = [
    backendConfig(h, { database: db(h, 'alerts') }),
    {
      id: 'alerts',
      type: 'fullstack alerts',
      backend: 'backend',
      rules,
      wires: [['events'], ['active']],
    },
    { id: 'events', type: 'helper' },
    { id: 'active', type: 'helper' },
  ];
  const feed = (value: number) =>
    h.helper
      .getNode('alerts')
      .receive({ payload: value, device: 'greenhouse', sensor: 'temperature', ts: Date.now() });
  await h.helper.load(h.nodes, flow);
  let events = collect(h, 'events');
  feed(31);
  await until(() => events.length >= 1, 'the raise');
  await h.helper.unload();
  await h.helper.load(h.nodes, flow);
  events = collect(h, 'events');
  const active = collect(h, 'active');
  h.helper.getNode('alerts').receive({ topic: 'alerts' });
  await until(() => active.length >= 1, 'the active list after the restart');
  assert.equal(
    (active[0]!.payload as Array<{ key: string }>).map((a) => a.key),
    ['hot:greenhouse'],
  );
  assert.equal(
    (active[0] as { events?: Array<{ state: string }> }).events?.map((e) => e.state),
    ['raised'],
  );
  feed(33);
  feed(27);
  await until(() => events.length >= 1, 'the clear');
  assert.equal(
    events.map((m) => (m.payload as { state: string }).state),
    ['cleared'],
    'cleared, and not raised a second time',
  );
});

test('alerts: bad rules are reported, naming the field', async ({ h }) => {
  await h.helper.load(h.nodes, [
    backendConfig(h),
    {
      id: 'alerts',
      type: 'fullstack alerts',
      backend: 'backend',
      rules: '[{"id":"x","type":"threshold","sensor":"t"}]',
      wires: [[], []],
    },
  ]);
  const node = h.helper.getNode('alerts');
  assert.match(String(node.error.lastCall.args[0]), /needs "above", "below" or both/);
});

test('api: answers a route with a status code, and 401 without a valid key', async ({ h }) => {
  const keys = join(h.dir, 'keys.json');
  const { key } = createApiKey(keys, 'tests');
  await h.helper.load(h.nodes, [
    backendConfig(h),
    {
      id: 'api',
      type: 'fullstack api',
      backend: 'backend',
      route: 'device',
      keys,
      auth: true,
      wires: [['res']],
    },
    { id: 'res', type: 'helper' },
  ]);
  await connected(h, 'api');
  await h.gateway.publishAsync(
    upstreamTopic(GATEWAY, 'devices'),
    JSON.stringify(full([online('greenhouse')])),
    { qos: 1 },
  );
  await until(
    () => h.helper.getNode('backend').backend.fleet.get('greenhouse') !== undefined,
    'the device',
  );
  const ask = async (id: string, authorization?: string) => {
    const next = nextMessage(h, 'res');
    h.helper.getNode('api').receive({
      req: { params: { id }, query: {}, headers: authorization ? { authorization } : {} },
    });
    return next;
  };
  const ok = await ask('greenhouse', `Bearer ${key}`);
  assert.is(ok.statusCode, 200);
  assert.is((ok.payload as { device: string }).device, 'greenhouse');
  assert.is((await ask('nowhere', `Bearer ${key}`)).statusCode, 404);
  assert.is((await ask('greenhouse')).statusCode, 401);
  assert.is((await ask('greenhouse', `Bearer ${key.slice(0, -2)}xx`)).statusCode, 401);
});

test.run();
