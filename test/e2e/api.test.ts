/**
 * The REST API over HTTP against a running Node-RED (the shipped flows) and a real broker, with
 * a virtual device behind a virtual gateway answering commands.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import type { RunningNodeRed } from '../../flows/launch.js';
import { createApiKey } from '../../flows/lib/api-keys.js';
import { startVirtualDevice, subscribed, type VirtualDevice } from '../flows/virtual-device.js';
import { startTestBroker, type TestBroker } from '../helpers/broker.js';
import { startLocalNodeRed } from '../helpers/node-red.js';

interface Context {
  broker: TestBroker;
  nodeRed: RunningNodeRed;
  device: VirtualDevice;
  dataDir: string;
  key: string;
}

const test = suite<Context>('REST API over HTTP');

test.before(async (ctx) => {
  ctx.dataDir = mkdtempSync(join(tmpdir(), 'fs-api-'));
  ctx.key = createApiKey(join(ctx.dataDir, 'api-keys.json'), 'tests').key;
  ctx.broker = await startTestBroker();
  const listening = subscribed(ctx.broker.aedes, 'fs/gw/v1/+/telemetry');
  ctx.nodeRed = await startLocalNodeRed(ctx.dataDir, ctx.broker.url);
  await listening;
  ctx.device = await startVirtualDevice(ctx.broker.url, { id: 'greenhouse', gateway: 'gw-test' });
});

test.after(async (ctx) => {
  await ctx.device?.close();
  await ctx.nodeRed?.stop();
  await ctx.broker?.close();
  rmSync(ctx.dataDir, { recursive: true, force: true });
});

async function call(
  ctx: Context,
  method: string,
  path: string,
  options: { key?: string | null; body?: unknown } = {},
) {
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  const key = options.key === undefined ? ctx.key : options.key;
  if (key) headers.authorization = `Bearer ${key}`;
  const response = await fetch(`${ctx.nodeRed.url}${path}`, {
    method,
    headers,
    body: options.body === undefined ? undefined : JSON.stringify(options.body),
  });
  const text = await response.text();
  return {
    status: response.status,
    type: response.headers.get('content-type') ?? '',
    body: JSON.parse(text),
  };
}

async function eventually<T>(
  fn: () => Promise<T>,
  ok: (value: T) => boolean,
  what: string,
): Promise<T> {
  const deadline = Date.now() + 10_000;
  for (;;) {
    const value = await fn();
    if (ok(value)) return value;
    if (Date.now() > deadline)
      throw new Error(`timed out waiting for ${what}: last ${JSON.stringify(value)}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

test('keys: none, malformed, unknown and revoked are 401 with a JSON reason; a valid one works', async (ctx) => {
  const none = await call(ctx, 'GET', '/api/devices', { key: null });
  assert.is(none.status, 401);
  assert.match(none.type, /application\/json/);
  assert.is(none.body.error, 'unauthorized');
  assert.match(none.body.message, /missing Authorization/);
  assert.is((await call(ctx, 'GET', '/api/devices', { key: 'not-a-key' })).status, 401);
  const forged = `${ctx.key.slice(0, -4)}AAAA`;
  assert.match(
    (await call(ctx, 'GET', '/api/devices', { key: forged })).body.message,
    /unknown or revoked/,
  );
  // A key made while Node-RED runs works at once (the key file is re-read when it changes).
  const late = createApiKey(join(ctx.dataDir, 'api-keys.json'), 'late').key;
  assert.is((await call(ctx, 'GET', '/api/devices', { key: late })).status, 200);
});

test('GET /api/devices and /api/devices/:id; unknown device is 404, bad id 400', async (ctx) => {
  const list = await eventually(
    () => call(ctx, 'GET', '/api/devices'),
    (r) => r.body.devices?.length === 1,
    'the virtual device in /api/devices',
  );
  assert.is(list.status, 200);
  assert.is(list.body.devices[0].device, 'greenhouse');
  assert.is(list.body.devices[0].online, true);
  const one = await call(ctx, 'GET', '/api/devices/greenhouse');
  assert.equal([one.status, one.body.board, one.body.actuators[0].id], [200, 'uno', 'fan_led']);
  const missing = await call(ctx, 'GET', '/api/devices/nowhere');
  assert.equal([missing.status, missing.body.error], [404, 'unknown-device']);
  const bad = await call(ctx, 'GET', '/api/devices/Not_Valid');
  assert.equal([bad.status, bad.body.error], [400, 'bad-request']);
});

test('GET readings: stored by the shipped flow, by sensor, range and step; bad parameters are 400', async (ctx) => {
  const now = Date.now();
  for (let i = 0; i < 6; i++)
    await ctx.device.publishReading({ temp: 20 + i, light: 100 }, now - 60_000 + i * 10_000);
  const raw = await eventually(
    () =>
      call(
        ctx,
        'GET',
        `/api/devices/greenhouse/readings?sensor=temp&from=${now - 120_000}&to=${now}`,
      ),
    (r) => r.body.series?.temp?.length === 6,
    'six stored temperatures',
  );
  assert.equal(
    raw.body.series.temp.map((p: { value: number }) => p.value),
    [20, 21, 22, 23, 24, 25],
  );
  assert.equal(Object.keys(raw.body.series), ['temp']);
  const stepped = await call(
    ctx,
    'GET',
    `/api/devices/greenhouse/readings?from=${now - 120_000}&to=${now}&step=1m`,
  );
  assert.is(stepped.status, 200);
  assert.is(stepped.body.step, 60_000);
  assert.is(
    stepped.body.series.temp.reduce((n: number, p: { count: number }) => n + p.count, 0),
    6,
  );
  const iso = await call(
    ctx,
    'GET',
    `/api/devices/greenhouse/readings?from=${new Date(now - 120_000).toISOString()}`,
  );
  assert.is(iso.status, 200);
  for (const [query, pattern] of [
    ['from=yesterday', /from="yesterday" is not a time/],
    ['step=fast', /step="fast" is not a duration/],
    [`from=${now}&to=${now - 1000}`, /is after to/],
    ['sensor=Bad!', /not a sensor id/],
  ] as const) {
    const r = await call(ctx, 'GET', `/api/devices/greenhouse/readings?${query}`);
    assert.is(r.status, 400, query);
    assert.match(r.body.message, pattern);
  }
  assert.is((await call(ctx, 'GET', '/api/devices/nowhere/readings')).status, 404);
});

test('POST a command: round-trips to the device, which changes state; errors map to status codes', async (ctx) => {
  const set = await call(ctx, 'POST', '/api/devices/greenhouse/commands/set', {
    body: { args: { actuator: 'fan_led', value: true } },
  });
  assert.is(set.status, 200);
  assert.equal([set.body.status, set.body.result], ['ok', { fan_led: true }]);
  assert.is(ctx.device.state.fan_led, true, 'the device changed state');
  const sent = ctx.device.commands[ctx.device.commands.length - 1];
  assert.equal([sent?.name, sent?.args], ['set', { actuator: 'fan_led', value: true }]);

  const refused = await call(ctx, 'POST', '/api/devices/greenhouse/commands/set', {
    body: { args: { actuator: 'nothing', value: 1 } },
  });
  assert.equal([refused.status, refused.body.error], [502, 'device-error']);
  assert.match(refused.body.message, /unknown actuator/);

  const bad = await call(ctx, 'POST', '/api/devices/greenhouse/commands/set', {
    body: { args: [1], timeoutMs: 5 },
  });
  assert.is(bad.status, 400);
  assert.is(
    (await call(ctx, 'POST', '/api/devices/nowhere/commands/ping', { body: {} })).status,
    404,
  );
  assert.is(
    (await call(ctx, 'POST', '/api/devices/greenhouse/commands/ping', { key: null, body: {} }))
      .status,
    401,
  );
});

test('POST a command the device never answers: 504 after timeoutMs', async (ctx) => {
  ctx.device.silentCommands.add('reboot');
  const r = await call(ctx, 'POST', '/api/devices/greenhouse/commands/reboot', {
    body: { timeoutMs: 500 },
  });
  assert.equal([r.status, r.body.error], [504, 'timeout']);
  assert.match(r.body.message, /no ack from greenhouse within 500 ms/);
});

test('every /api/ error is JSON: unknown path 404, wrong method 405 with Allow, bad body 400', async (ctx) => {
  const missing = await call(ctx, 'GET', '/api/nothing/here');
  assert.equal([missing.status, missing.body.error], [404, 'not-found']);
  assert.match(missing.body.message, /no route GET \/api\/nothing\/here/);
  const raw = async (method: string, path: string, body?: string) => {
    const response = await fetch(`${ctx.nodeRed.url}${path}`, {
      method,
      headers: { 'content-type': 'application/json', authorization: `Bearer ${ctx.key}` },
      body,
    });
    const text = await response.text();
    assert.match(
      response.headers.get('content-type') ?? '',
      /application\/json/,
      `${method} ${path}`,
    );
    assert.not.match(
      text,
      /node_modules|<html|SyntaxError|\\n\s*at /i,
      `${method} ${path}: no stack or page`,
    );
    return {
      status: response.status,
      allow: response.headers.get('allow'),
      body: JSON.parse(text),
    };
  };
  for (const body of ['not json', '{not json']) {
    const notJson = await raw('POST', '/api/devices/greenhouse/commands/ping', body);
    assert.equal([notJson.status, notJson.body.error], [400, 'bad-request']);
    assert.match(notJson.body.message, /^body is not JSON: /);
  }
  const deleted = await raw('DELETE', '/api/devices/greenhouse');
  assert.equal(
    [deleted.status, deleted.allow, deleted.body.error],
    [405, 'GET', 'method-not-allowed'],
  );
  const got = await raw('GET', '/api/devices/greenhouse/commands/ping');
  assert.equal([got.status, got.allow], [405, 'POST']);
  assert.match(
    got.body.message,
    /GET is not allowed on \/api\/devices\/greenhouse\/commands\/ping; allowed: POST/,
  );
  for (const method of ['PUT', 'PATCH', 'DELETE']) {
    assert.is((await raw(method, '/api/nothing/here')).status, 404, method);
  }
  // An empty body is still allowed (no args).
  const empty = await raw('POST', '/api/devices/greenhouse/commands/ping');
  assert.is(empty.status, 200);
});

test('keys: a key of the right form that was never issued is "unknown or revoked"', async (ctx) => {
  const wrong = await call(ctx, 'GET', '/api/devices', { key: 'fsk_2e7c9d1a_wrongwrong' });
  assert.equal([wrong.status, wrong.body.message], [401, 'unknown or revoked API key']);
});

test("readings: an unknown sensor is a 400 naming the device's sensors", async (ctx) => {
  const r = await call(ctx, 'GET', '/api/devices/greenhouse/readings?sensor=nope');
  assert.is(r.status, 400);
  assert.match(
    r.body.message,
    /sensor="nope" is not a sensor of device "greenhouse"; known sensors: .*temp/,
  );
});

test('GET /api/openapi.json needs no key and describes every route', async (ctx) => {
  const doc = await call(ctx, 'GET', '/api/openapi.json', { key: null });
  assert.is(doc.status, 200);
  assert.is(doc.body.openapi, '3.1.0');
  assert.equal(Object.keys(doc.body.paths).sort(), [
    '/devices',
    '/devices/{id}',
    '/devices/{id}/commands/{name}',
    '/devices/{id}/readings',
  ]);
});

test.run();
