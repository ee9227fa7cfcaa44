/** The backend's fleet state from upstream messages, and upstream parsing. */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { FleetState } from '../../flows/lib/fleet.js';
import { parseUpstream } from '../../flows/lib/upstream-parse.js';
import { diff, full, online, reading } from './upstream-fixtures.js';

test('a full state adds devices; one no longer listed by its gateway goes offline (lost)', () => {
  const fleet = new FleetState();
  const joins = fleet.applyFull('gw1', full([online('a'), online('b')], 'gw1'));
  assert.equal(
    joins.map((c) => c.type === 'presence' && [c.device, c.online]),
    [
      ['a', true],
      ['b', true],
    ],
  );
  const changes = fleet.applyFull('gw1', full([online('a')], 'gw1'));
  assert.equal(changes, [
    {
      type: 'presence',
      device: 'b',
      gateway: 'gw1',
      online: false,
      since: changes[0]?.type === 'presence' ? changes[0].since : 0,
      reason: 'lost',
    },
  ]);
  assert.is(fleet.get('b')?.reason, 'lost');
});

test('a diff carries the reason; repeating the same state is no change', () => {
  const fleet = new FleetState();
  fleet.applyFull('gw1', full([online('a')], 'gw1'));
  const leave = fleet.applyDiff(
    'gw1',
    diff([{ device: 'a', online: false, reason: 'keepalive', since: 7 }]).changes,
  );
  assert.equal(leave, [
    { type: 'presence', device: 'a', gateway: 'gw1', online: false, reason: 'keepalive', since: 7 },
  ]);
  assert.equal(
    fleet.applyDiff('gw1', [{ device: 'a', online: false, reason: 'keepalive', since: 7 }]),
    [],
  );
  const back = fleet.applyDiff('gw1', [online('a')]);
  assert.is(back.length, 1);
  assert.is(fleet.get('a')?.reason, undefined);
});

test('telemetry updates latest readings with units; older and replayed ones only lastSeen', () => {
  const fleet = new FleetState();
  fleet.applyFull('gw1', full([online('a')], 'gw1'));
  fleet.applyTelemetry('gw1', [reading('a', { temperature: 20 }, 2000)]);
  fleet.applyTelemetry('gw1', [reading('a', { temperature: 10 }, 1000)]);
  fleet.applyTelemetry('gw1', [{ ...reading('a', { temperature: 5 }, 3000), historical: true }]);
  const view = fleet.get('a');
  assert.equal(view?.readings.temperature, { value: 20, ts: 2000, unit: '°C' });
  assert.is(view?.lastSeen, 3000);
});

test('seedStored: a device reported later starts with its stored readings, units and last seen', () => {
  const fleet = new FleetState();
  fleet.seedStored([
    { device: 'a', sensor: 'temperature', ts: 1000, value: 19.5, rx: 1200 },
    { device: 'a', sensor: 'led', ts: 900, value: true, rx: 900 },
  ]);
  assert.equal(fleet.snapshot(), [], 'stored readings alone add no device');
  fleet.applyFull('gw1', full([online('a')], 'gw1'));
  const view = fleet.get('a');
  assert.equal(view?.readings, {
    temperature: { value: 19.5, ts: 1000, unit: '°C' },
    led: { value: true, ts: 900 },
  });
  assert.is(view?.lastSeen, 1200);
  // A newer live reading wins; an older stored one does not come back.
  fleet.applyTelemetry('gw1', [reading('a', { temperature: 22 }, 5000)]);
  fleet.seedStored([{ device: 'a', sensor: 'temperature', ts: 1000, value: 19.5, rx: 1200 }]);
  assert.is(fleet.get('a')?.readings.temperature?.value, 22);
  assert.is(fleet.get('a')?.lastSeen, 5000);
});

test('snapshot is sorted and a copy', () => {
  const fleet = new FleetState();
  fleet.applyFull('gw1', full([online('b'), online('a')], 'gw1'));
  const snap = fleet.snapshot();
  assert.equal(
    snap.map((d) => d.device),
    ['a', 'b'],
  );
  snap[0]!.online = false;
  assert.is(fleet.get('a')?.online, true);
});

test('parseUpstream: accepts each kind, names the bad field otherwise', () => {
  const ok = parseUpstream(
    'fs/gw/v1/gw1/telemetry',
    Buffer.from(JSON.stringify({ gateway: 'gw1', items: [reading('a', { t: 1 })] })),
  );
  assert.ok(ok.ok);
  const cases: Array<[string, unknown, RegExp]> = [
    ['fs/gw/v1/gw1', {}, /is not fs\/gw\/v1\/<gateway>\/<kind>/],
    ['fs/gw/v1/gw1/telemetry', 'not json', /not JSON/],
    [
      'fs/gw/v1/gw1/telemetry',
      { items: [{ device: 'a', boot: 1, seq: 1, ts: 1, readings: { t: 'hot' } }] },
      /items\[0\]\.readings\.t is "hot"/,
    ],
    [
      'fs/gw/v1/gw1/presence',
      { changes: [{ device: 'a', online: 'yes', since: 1 }] },
      /changes\[0\]\.online is not a boolean/,
    ],
    ['fs/gw/v1/gw1/devices', { devices: {} }, /devices is not an array/],
    ['fs/gw/v1/gw1/ack', { device: 'a', ack: { ok: true } }, /ack is not/],
    ['fs/gw/v1/gw1/events', {}, /events: type is not a string/],
  ];
  for (const [topic, payload, pattern] of cases) {
    const result = parseUpstream(
      topic,
      typeof payload === 'string' ? payload : JSON.stringify(payload),
    );
    assert.not.ok(result.ok, topic);
    if (!result.ok) assert.match(result.detail, pattern);
  }
});

test.run();
