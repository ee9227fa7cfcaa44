import { test } from 'uvu';
import * as assert from 'uvu/assert';
import {
  type Birth,
  checkAck,
  findUnknownSensor,
  LIMITS,
  type PartCatalog,
  parseDeviceMessage,
  parseDeviceTopic,
  type Telemetry,
  telemetryTopic,
} from '../contract/index.js';

const birth: Birth = {
  online: true,
  ts: 1_700_000_000_000,
  boot: 3,
  fw: 'fullstack-sim 0.1.0',
  board: 'virtual-uno',
  sensors: [{ id: 'temp', kind: 'tmp36', unit: '°C' }],
  actuators: [{ id: 'led', kind: 'led' }],
};
const telemetry: Telemetry = {
  seq: 1,
  boot: 3,
  ts: 1_700_000_000_500,
  readings: { temp: 21.5, button: false },
};

function rejected(topic: string, payload: unknown) {
  const text = typeof payload === 'string' ? payload : JSON.stringify(payload);
  const result = parseDeviceMessage(topic, text);
  if (result.ok) throw new Error(`expected a rejection for ${text}`);
  return result;
}

test('accepts a birth, a will, telemetry, an ack and a sys report', () => {
  const cases: Array<[string, unknown]> = [
    ['fs/v1/dev-1/status', birth],
    ['fs/v1/dev-1/status', { online: false, reason: 'lost' }],
    ['fs/v1/dev-1/telemetry', telemetry],
    ['fs/v1/dev-1/telemetry', { ...telemetry, historical: true }],
    ['fs/v1/dev-1/ack', { id: 'c1', ok: true, result: { state: 1 } }],
    ['fs/v1/dev-1/ack', { id: 'c1', ok: false, error: 'unknown actuator "x"' }],
    ['fs/v1/dev-1/cmd', { id: 'c1', name: 'set', args: { actuator: 'led', value: true } }],
    [
      'fs/v1/dev-1/sys',
      {
        ts: 1,
        boot: 3,
        uptimeMs: 10,
        memory: { free: 10, total: 20, unit: 'vars' },
        bufferDropped: 0,
      },
    ],
  ];
  for (const [topic, payload] of cases) {
    const result = parseDeviceMessage(topic, JSON.stringify(payload));
    assert.ok(result.ok, `${topic} ${JSON.stringify(payload)}: ${result.ok ? '' : result.detail}`);
  }
});

test('returns the device id and kind from the topic', () => {
  const result = parseDeviceMessage(telemetryTopic('kitchen-3'), JSON.stringify(telemetry));
  assert.ok(result.ok);
  if (result.ok) {
    assert.is(result.value.deviceId, 'kitchen-3');
    assert.is(result.value.kind, 'telemetry');
  }
});

test('rejects topics outside the contract, saying why', () => {
  assert.match(rejected('fs/v2/dev/telemetry', telemetry).detail, /not of the form fs\/v1/);
  assert.match(rejected('fs/v1/Dev_1/telemetry', telemetry).detail, /device id "Dev_1"/);
  assert.match(rejected('fs/v1/dev/metrics', telemetry).detail, /kind "metrics" is not one of/);
  assert.is(rejected('fs/v1/dev/telemetry/extra', telemetry).reason, 'topic');
});

test('rejects non-JSON and oversized payloads', () => {
  const notJson = rejected('fs/v1/dev/telemetry', '{"seq":');
  assert.is(notJson.reason, 'not-json');
  const big = rejected('fs/v1/dev/telemetry', 'x'.repeat(LIMITS.maxPayloadBytes + 1));
  assert.is(big.reason, 'oversized');
  assert.match(big.detail, /limit is 16384/);
});

test('rejects telemetry with wrong types, naming the field', () => {
  const cases: Array<[unknown, RegExp]> = [
    [{ ...telemetry, seq: -1 }, /field seq/],
    [{ ...telemetry, seq: 1.5 }, /field seq is number 1.5, expected integer/],
    [
      { ...telemetry, readings: { temp: 'hot' } },
      /field readings\/temp is the string "hot", expected number,boolean/,
    ],
    [{ ...telemetry, readings: {} }, /readings/],
    [{ ...telemetry, readings: { 'Bad Id': 1 } }, /key "Bad Id" that is not a valid part id/],
    [{ seq: 1, boot: 1, readings: { t: 1 } }, /missing required property "ts"/],
    [{ ...telemetry, extra: 1 }, /unknown property "extra"/],
    [{ ...telemetry, historical: false }, /field historical must be true/],
    [[1, 2], /payload is an array, expected object/],
  ];
  for (const [payload, expected] of cases) {
    const result = rejected('fs/v1/dev/telemetry', payload);
    assert.is(result.reason, 'schema');
    assert.match(result.detail, expected);
  }
});

test('rejects bad status payloads', () => {
  assert.match(
    rejected('fs/v1/dev/status', { online: false, reason: 'bored' }).detail,
    /allowed: "lost"/,
  );
  assert.match(rejected('fs/v1/dev/status', { ...birth, sensors: 'temp' }).detail, /field sensors/);
  assert.match(rejected('fs/v1/dev/status', { online: 'yes' }).detail, /online/);
  const { fw: _fw, ...noFw } = birth;
  assert.match(rejected('fs/v1/dev/status', noFw).detail, /missing required property "fw"/);
});

/** A catalog of two parts, as the gateway's (hardware/catalog) would answer for them. */
const catalog: PartCatalog = (part) =>
  part === 'bme280'
    ? {
        category: 'sensor',
        channels: [
          { suffix: 'temperature', kind: 'temperature', unit: '°C' },
          { suffix: 'humidity', kind: 'humidity', unit: '%' },
        ],
      }
    : part === 'pir'
      ? { category: 'sensor', channels: [{ suffix: null, kind: 'motion', unit: '' }] }
      : part === 'relay'
        ? { category: 'actuator' }
        : undefined;
const partsBirth = {
  online: true,
  ts: 1_700_000_000_000,
  boot: 2,
  fw: 'fullstack/0.1.0',
  board: 'esp8266',
  parts: { env: 'bme280', motion: 'pir', lamp: 'relay' },
};

test('a birth in catalog form is expanded with the catalog, in the order of its parts', () => {
  const result = parseDeviceMessage('fs/v1/dev/status', JSON.stringify(partsBirth), catalog);
  assert.ok(result.ok, result.ok ? '' : result.detail);
  assert.equal(result.value.payload, {
    online: true,
    ts: 1_700_000_000_000,
    boot: 2,
    fw: 'fullstack/0.1.0',
    board: 'esp8266',
    sensors: [
      { id: 'env_temperature', kind: 'temperature', unit: '°C' },
      { id: 'env_humidity', kind: 'humidity', unit: '%' },
      { id: 'motion', kind: 'motion', unit: '' },
    ],
    actuators: [{ id: 'lamp', kind: 'relay' }],
  });
});

test('a birth in catalog form: unknown part, bad part id, no catalog, both forms at once', () => {
  const refused = (payload: unknown, withCatalog = true) => {
    const result = parseDeviceMessage(
      'fs/v1/dev/status',
      JSON.stringify(payload),
      withCatalog ? catalog : undefined,
    );
    if (result.ok) throw new Error(`expected a rejection for ${JSON.stringify(payload)}`);
    assert.is(result.reason, 'schema');
    return result.detail;
  };
  assert.match(
    refused({ ...partsBirth, parts: { env: 'bme999' } }),
    /field parts\.env is "bme999", which is not a part in the gateway's catalog/,
  );
  assert.match(refused({ ...partsBirth, parts: { 'Bad Id': 'pir' } }), /key "Bad Id"/);
  assert.match(refused({ ...partsBirth, parts: { env: 7 } }), /field parts\/env is number 7/);
  assert.match(refused(partsBirth, false), /needs the gateway's part catalog/);
  assert.match(refused({ ...partsBirth, sensors: [] }), /unknown property "sensors"/);
  const many = Object.fromEntries(
    Array.from({ length: LIMITS.maxPartsPerDevice }, (_, i) => [`env${i}`, 'bme280']),
  );
  assert.match(refused({ ...partsBirth, parts: many }), /readings, the limit is/);
});

test('an ack is either a result or an error, never both', () => {
  assert.not.ok(checkAck({ id: 'a', ok: false }).ok);
  assert.not.ok(checkAck({ id: 'a', ok: true, error: 'x' }).ok);
  assert.not.ok(checkAck({ id: 'a', ok: false, error: 'x', result: 1 }).ok);
  assert.ok(checkAck({ id: 'a', ok: true }).ok);
});

test('finds a reading for a sensor the birth did not declare', () => {
  assert.is(findUnknownSensor(telemetry, ['temp']), 'button');
  assert.is(findUnknownSensor(telemetry, new Set(['temp', 'button'])), undefined);
});

test('parses topics directly', () => {
  assert.equal(parseDeviceTopic('fs/v1/a/cmd'), { ok: true, deviceId: 'a', kind: 'cmd' });
  assert.not.ok(parseDeviceTopic('').ok);
});

test.run();
