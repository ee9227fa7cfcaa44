/** REST handlers without HTTP: parameter parsing and status codes (HTTP itself: test/e2e/api). */

import { readFileSync } from 'node:fs';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import {
  API_PATHS,
  type ApiContext,
  type ApiRequest,
  handleApi,
  parseStep,
  parseTime,
} from '../../flows/lib/api.js';
import type { CommandOutcome } from '../../flows/lib/commands.js';
import type { DeviceView } from '../../flows/lib/fleet.js';
import { repoPath } from '../../lib/paths.js';

const device: DeviceView = {
  device: 'a',
  gateway: 'g',
  online: true,
  since: 1,
  sensors: [{ id: 'temp', kind: 'temperature', unit: '°C' }],
  actuators: [],
  readings: { led: { value: true, ts: 1 } },
};

function context(outcome?: CommandOutcome): ApiContext {
  return {
    now: () => 10_000_000,
    devices: () => [device],
    device: (id) => (id === 'a' ? device : undefined),
    storedDevices: () => ['old'],
    storedSensors: (id) => (id === 'old' ? ['humidity'] : ['light']),
    readings: (q) => ({
      device: q.device,
      from: q.from,
      to: q.to,
      step: q.step ?? 0,
      source: 'raw',
      series: {},
      truncated: false,
    }),
    command: async (r) =>
      outcome ?? { status: 'ok', device: r.device, id: 'c-1', name: r.name, ms: 3 },
  };
}

const req = (
  params: Record<string, string>,
  query: Record<string, unknown> = {},
  body?: unknown,
): ApiRequest => ({
  params,
  query,
  headers: {},
  body,
});

test('parseStep and parseTime accept what the OpenAPI document says, and refuse the rest', () => {
  assert.equal(
    ['', '10s', '5m', '1h', '1d', '2500'].map(parseStep),
    [0, 10_000, 300_000, 3600_000, 86_400_000, 2500],
  );
  assert.throws(() => parseStep('500'), /below the smallest step/);
  assert.throws(() => parseStep('1w'), /not a duration/);
  assert.is(parseTime('from', '2026-01-01T00:00:00Z', 0), Date.UTC(2026, 0, 1));
  assert.is(parseTime('from', undefined, 42), 42);
  assert.throws(() => parseTime('from', ['1', '2'], 0), /must be given once/);
});

test('readings: defaults to the last hour; a device known only from storage is found', async () => {
  const r = await handleApi('readings', req({ id: 'old' }), context());
  assert.is(r.status, 200);
  assert.equal(
    [(r.body as { from: number }).from, (r.body as { to: number }).to],
    [10_000_000 - 3600_000, 10_000_000],
  );
  assert.is(
    (
      await handleApi(
        'readings',
        req({ id: 'a' }, { from: '0', to: String(400 * 86_400_000) }),
        context(),
      )
    ).status,
    400,
  );
});

test('readings: an unknown sensor is a 400 naming the sensors known from birth, readings and store', async () => {
  const live = await handleApi('readings', req({ id: 'a' }, { sensor: 'nope' }), context());
  assert.is(live.status, 400);
  assert.match(
    (live.body as { message: string }).message,
    /sensor="nope" is not a sensor of device "a"; known sensors: led, light, temp/,
  );
  const stored = await handleApi('readings', req({ id: 'old' }, { sensor: 'nope' }), context());
  assert.match((stored.body as { message: string }).message, /known sensors: humidity$/);
  const known = await handleApi('readings', req({ id: 'old' }, { sensor: 'humidity' }), context());
  assert.is(known.status, 200);
  const none = { ...context(), storedSensors: () => [] };
  const empty = await handleApi('readings', req({ id: 'old' }, { sensor: 'x' }), none);
  assert.match((empty.body as { message: string }).message, /no known sensors yet/);
});

test('unrouted: a known path with another method is 405 with Allow; an unknown path 404', async () => {
  const unrouted = (method: string, path: string) =>
    handleApi('not-found', { ...req({}), method, path }, context());
  const get = await unrouted('GET', '/api/devices/a/commands/ping');
  assert.equal([get.status, get.headers], [405, { allow: 'POST' }]);
  assert.match(
    (get.body as { message: string }).message,
    /GET is not allowed on .*; allowed: POST/,
  );
  const del = await unrouted('DELETE', '/api/devices/a');
  assert.equal(
    [del.status, del.headers, (del.body as { error: string }).error],
    [405, { allow: 'GET' }, 'method-not-allowed'],
  );
  const put = await unrouted('PUT', '/api/nothing/here');
  assert.equal(
    [put.status, put.headers, (put.body as { error: string }).error],
    [404, undefined, 'not-found'],
  );
});

test('API_PATHS agrees with the http-in nodes of the shipped 30-api.json', () => {
  const nodes = JSON.parse(readFileSync(repoPath('flows', '30-api.json'), 'utf8')) as Array<{
    type: string;
    url?: string;
    method?: string;
  }>;
  const routes = nodes
    .filter((n) => n.type === 'http in' && n.url !== '/api/*')
    .map((n) => [n.url?.replace(/:[a-z]+/g, 'x') ?? '', (n.method ?? '').toUpperCase()] as const);
  assert.ok(routes.length >= 5);
  for (const [path, method] of routes) {
    const known = API_PATHS.filter((p) => p.pattern.test(path));
    assert.is(known.length, 1, `${path}: one API_PATHS entry`);
    assert.ok(known[0]?.methods.includes(method), `${method} ${path} in API_PATHS`);
  }
  assert.is(
    API_PATHS.reduce((n, p) => n + p.methods.length, 0),
    routes.length,
    'no method in API_PATHS without an http-in node',
  );
  const catchAll = nodes.filter((n) => n.type === 'http in' && n.url === '/api/*');
  assert.equal(catchAll.map((n) => n.method).sort(), ['delete', 'get', 'patch', 'post', 'put']);
});

test('commands: outcome to status (200, 409 offline, 502 device error, 504 timeout)', async () => {
  const base = { device: 'a', id: 'c', name: 'set', ms: 1 };
  const cases: Array<[CommandOutcome, number]> = [
    [{ status: 'ok', ...base }, 200],
    [{ status: 'error', ...base, error: 'offline' }, 409],
    [{ status: 'error', ...base, error: 'bad value' }, 502],
    [{ status: 'timeout', ...base, error: 'no ack' }, 504],
  ];
  for (const [outcome, status] of cases) {
    assert.is(
      (
        await handleApi(
          'command',
          req({ id: 'a', name: 'set' }, {}, { args: {} }),
          context(outcome),
        )
      ).status,
      status,
    );
  }
  const bad = await handleApi('command', req({ id: 'a', name: 'Set!' }, {}, {}), context());
  assert.equal([bad.status, (bad.body as { error: string }).error], [400, 'bad-request']);
});

test('with a key check, every route but openapi needs a key', async () => {
  const ctx = { ...context(), checkKey: () => ({ ok: false as const, detail: 'nope' }) };
  assert.is((await handleApi('devices', req({}), ctx)).status, 401);
  assert.is((await handleApi('openapi', req({}), ctx)).status, 200);
});

test('the key may come in X-API-Key instead of Authorization', async () => {
  const seen: Array<string | undefined> = [];
  const ctx = {
    ...context(),
    checkKey: (authorization: string | undefined) => {
      seen.push(authorization);
      return { ok: true as const, name: 'k' };
    },
  };
  await handleApi(
    'devices',
    { ...req({}), headers: { 'x-api-key': 'fsk_1', authorization: 'Basic abc' } },
    ctx,
  );
  await handleApi('devices', { ...req({}), headers: { authorization: 'Bearer fsk_2' } }, ctx);
  assert.equal(seen, ['Bearer fsk_1', 'Bearer fsk_2']);
});

test.run();
