import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { PresenceEntry, PresenceFull } from '../../contract/upstream.js';
import { checkOtaConfig, checkOtaTarget } from '../../firmware/ota/preflight.js';
import { OtaError } from '../../firmware/ota/sender.js';
import { getBoard } from '../../hardware/boards/index.js';
import { loadDeviceConfig } from '../../hardware/config/index.js';
import { repoPath } from '../../lib/paths.js';
import { birth, device, end, listener, tempDir, testGateway } from '../gateway/gateway-helpers.js';
import { runCli } from '../helpers/cli.js';

const shipped = (id: string) => repoPath('hardware', 'devices', `${id}.json`);

function refusal(run: () => unknown): OtaError {
  try {
    run();
  } catch (error) {
    assert.instance(error, OtaError);
    return error as OtaError;
  }
  assert.unreachable('expected a refusal');
  throw new Error('unreachable');
}

test('a Firmata board is refused in the user’s terms, not as a build target', () => {
  const error = refusal(() =>
    checkOtaConfig('sim-1', 'sim-1.json', loadDeviceConfig(shipped('sim-1'))),
  );
  assert.is(
    error.message,
    'sim-1 runs on an Arduino Uno R3 (node-firmata): OTA is for Espruino and Pi devices.',
  );
  assert.not.match(error.message + error.hint, /--target/);
  assert.match(error.hint, /fullstack flash --board uno/);
});

test('a config of another device is refused; Espruino and Pi configs are accepted', () => {
  const porch = loadDeviceConfig(shipped('esp8266-porch'));
  assert.match(
    refusal(() => checkOtaConfig('esp32-garden', 'p.json', porch)).message,
    /^p\.json is the config of esp8266-porch, not of esp32-garden\.$/,
  );
  assert.is(checkOtaConfig('esp8266-porch', 'p.json', porch).id, 'esp8266');
  const pi = loadDeviceConfig(shipped('pi-lab'));
  assert.is(checkOtaConfig('pi-lab', 'pi-lab.json', pi).id, 'rpi4', 'a Pi config is accepted');
});

const entry = (over: Partial<PresenceEntry>): PresenceEntry => ({
  device: 'esp8266-porch',
  online: true,
  since: 0,
  birth: { ...birth(), board: 'esp8266' },
  ...over,
});
const target = (known: PresenceEntry[] | null, configBoard = getBoard('esp8266')) =>
  checkOtaTarget({
    device: 'esp8266-porch',
    gatewayId: 'local',
    broker: 'mqtt://127.0.0.1:1',
    known,
    configBoard,
  });

test('the gateway must know the device, online, on the config’s board', () => {
  assert.is(target([entry({})]).device, 'esp8266-porch');
  assert.match(
    refusal(() => target([entry({ device: 'sim-2' }), entry({ device: 'sim-1' })])).message,
    /^unknown device esp8266-porch: gateway "local" knows sim-1, sim-2\.$/,
  );
  assert.match(refusal(() => target([])).message, /knows no devices yet/);
  assert.match(
    refusal(() => target(null)).message,
    /gateway "local" has published no device list on mqtt:\/\/127\.0\.0\.1:1/,
  );
  assert.match(
    refusal(() => target([entry({ online: false, reason: 'lost' })])).message,
    /^esp8266-porch is offline \(lost\) since 1970-01-01T00:00:00\.000Z: nothing was sent\.$/,
  );
  assert.match(
    refusal(() => target([entry({})], getBoard('esp32'))).message,
    /reports board "esp8266" in its birth, but the config is for "esp32"/,
  );
  const uno = entry({ birth: { ...birth(), board: 'uno' } });
  assert.match(
    refusal(() =>
      checkOtaTarget({ device: 'esp8266-porch', gatewayId: 'local', broker: '', known: [uno] }),
    ).message,
    /runs on an Arduino Uno R3 \(node-firmata\): OTA is for Espruino and Pi devices/,
  );
});

const cli = (args: string[]) => runCli(['ota', ...args]);

test('the built CLI: no gateway needed to refuse a Firmata config', async () => {
  const run = await cli(['sim-1', shipped('sim-1'), '--broker', 'mqtt://127.0.0.1:9']);
  assert.is(run.code, 1);
  assert.match(run.stderr, /sim-1 runs on an Arduino Uno R3 \(node-firmata\): OTA is for Espruino/);
});

test('the built CLI against the gateway: unknown, mismatched and offline devices', async () => {
  const gateway = await testGateway();
  const dir = tempDir('fs-ota-pre-');
  const porch = await device(gateway.mqttUrl, 'esp8266-porch');
  try {
    const bundle = join(dir.path, 'fw.js');
    writeFileSync(bundle, 'print("fw");\n');
    const auth = [
      '--broker',
      gateway.mqttUrl,
      '--username',
      gateway.backend.username,
      '--password',
      gateway.backend.password,
    ];
    const unknown = await cli(['nope', '--bundle', bundle, ...auth]);
    assert.is(unknown.code, 1, JSON.stringify(unknown));
    assert.match(unknown.stderr, /unknown device nope: gateway "local" knows esp8266-porch\./);
    assert.not.match(unknown.stderr, /starting|refused the update/, 'nothing was sent');
    // The helper's device reports board "test": the config is for an ESP8266.
    const mismatch = await cli(['esp8266-porch', shipped('esp8266-porch'), ...auth]);
    assert.is(mismatch.code, 1, JSON.stringify(mismatch));
    assert.match(
      mismatch.stderr,
      /esp8266-porch reports board "test" in its birth, but the config is for "esp8266"/,
    );
    // The gateway republishes its retained device list shortly after a presence change: wait
    // for it to say offline, as a user running the command a moment later would see.
    const state = await listener(gateway.mqttUrl, ['fs/gw/v1/local/devices'], gateway.backend);
    await end(porch);
    await state.until(
      () =>
        state.messages.some((m) =>
          (m.body as PresenceFull).devices?.some((d) => d.device === 'esp8266-porch' && !d.online),
        ),
      10_000,
      'the retained device list to show esp8266-porch offline',
    );
    await state.close();
    const offline = await cli(['esp8266-porch', '--bundle', bundle, ...auth]);
    assert.is(offline.code, 1, JSON.stringify(offline));
    assert.match(offline.stderr, /esp8266-porch is offline \(\S+\) since .*: nothing was sent/);
  } finally {
    await end(porch, true);
    await gateway.cleanup();
    dir.remove();
  }
});

test.run();
