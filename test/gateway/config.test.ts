import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { DEFAULT_SETTINGS, loadSettings, settingsFromEnv } from '../../gateway/config.js';
import { tempDir } from './gateway-helpers.js';

const test = suite('gateway config: one file, environment overrides, precise errors');

function error(fn: () => unknown): string {
  try {
    fn();
  } catch (e) {
    return (e as Error).message;
  }
  return 'no error';
}

test('defaults, then the file, then the environment, then explicit settings', () => {
  const dir = tempDir();
  try {
    const file = join(dir.path, 'gateway.json');
    writeFileSync(
      file,
      JSON.stringify({ outbox: { policy: 'reject-new', budgetBytes: 4096 }, ingest: { burst: 7 } }),
    );
    const settings = loadSettings({
      file,
      env: {
        FULLSTACK_GATEWAY_OUTBOX_BUDGETBYTES: '8192',
        FULLSTACK_GATEWAY_ID: 'barn',
        PATH: '/bin',
      },
      overrides: { ingest: { ratePerSecond: 3 } },
    });
    assert.is(settings.outbox.policy, 'reject-new');
    assert.is(settings.outbox.budgetBytes, 8192, 'the environment wins over the file');
    assert.is(settings.gatewayId, 'barn');
    assert.equal(settings.ingest, { ...DEFAULT_SETTINGS.ingest, burst: 7, ratePerSecond: 3 });
    assert.is(settings.forwarder.window, DEFAULT_SETTINGS.forwarder.window);
  } finally {
    dir.remove();
  }
});

test('environment names: underscores inside a field are optional, booleans are true/false', () => {
  assert.equal(
    settingsFromEnv({
      FULLSTACK_GATEWAY_INGEST_RATE_PER_SECOND: '7',
      FULLSTACK_GATEWAY_DEADLETTERS_MAX: '9',
      FULLSTACK_GATEWAY_SERIAL_ENABLED: 'false',
    }),
    { ingest: { ratePerSecond: 7 }, deadLetters: { max: 9 }, serial: { enabled: false } },
  );
  assert.match(
    error(() => settingsFromEnv({ FULLSTACK_GATEWAY_SERIAL_ENABLED: 'yes' })),
    /FULLSTACK_GATEWAY_SERIAL_ENABLED="yes": allowed: true, false/,
  );
});

test('errors name the source, the field, the value and what is allowed', () => {
  const dir = tempDir();
  try {
    const file = join(dir.path, 'gateway.json');
    writeFileSync(file, JSON.stringify({ outbox: { policy: 'drop-newest' } }));
    assert.is(
      error(() => loadSettings({ file })),
      `config file ${file}: field outbox.policy is "drop-newest"; allowed: "drop-oldest", "reject-new"`,
    );
    writeFileSync(file, JSON.stringify({ forwarder: { windows: 3 } }));
    assert.match(
      error(() => loadSettings({ file })),
      /field forwarder has unknown property "windows" \(allowed: window, maxBatch, reconnectMs\)/,
    );
    writeFileSync(file, '{ not json');
    assert.match(
      error(() => loadSettings({ file })),
      /is not valid JSON/,
    );
    assert.match(
      error(() => loadSettings({ file: join(dir.path, 'missing.json') })),
      /does not exist/,
    );
    assert.is(
      error(() => settingsFromEnv({ FULLSTACK_GATEWAY_FORWARDER_WINDOW: 'lots' })),
      'environment FULLSTACK_GATEWAY_FORWARDER_WINDOW="lots": not an integer',
    );
    assert.match(
      error(() => settingsFromEnv({ FULLSTACK_GATEWAY_FORWARDER_WINDOW: '0' })),
      /environment FULLSTACK_GATEWAY_FORWARDER_WINDOW: field forwarder.window is 0; allowed: must be >= 1/,
    );
    assert.match(
      error(() => settingsFromEnv({ FULLSTACK_GATEWAY_OUTBOX_COLOUR: 'red' })),
      /outbox has no field "colour" \(allowed: budgetBytes, policy, synchronous, maxBatch, syncIntervalMs\)/,
    );
    assert.match(
      error(() => settingsFromEnv({ FULLSTACK_GATEWAY_ID: 'Not An Id' })),
      /field gatewayId is "Not An Id"; allowed: a value matching/,
    );
  } finally {
    dir.remove();
  }
});

test.run();
