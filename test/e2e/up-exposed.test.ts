/**
 * Security by default when `fullstack up` listens beyond loopback: it refuses to start without
 * an editor login; with one, the editor needs it, anonymous MQTT clients are refused, and the
 * simulated devices still come online because `up` provisions them.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import mqtt from 'mqtt';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { distPath } from '../../lib/paths.js';
import { freePort } from '../../lib/ports.js';
import { type RunningUp, startUp } from '../helpers/fullstack-up.js';

const dataDir = mkdtempSync(join(tmpdir(), 'fullstack-exposed-'));
let up: RunningUp | undefined;

function fullstack(args: string[], input?: string) {
  return spawnSync(process.execPath, [distPath('cli', 'main.js'), ...args], {
    encoding: 'utf8',
    input,
    timeout: 60_000,
  });
}

test.after(() => {
  up?.cleanup();
  rmSync(dataDir, { recursive: true, force: true });
});

test('refuses to listen on 0.0.0.0 without an editor login, naming the fix', async () => {
  const result = fullstack([
    'up',
    '--host',
    '0.0.0.0',
    '--data-dir',
    dataDir,
    '--devices',
    '0',
    '--mqtt-port',
    String(await freePort()),
  ]);
  assert.is(result.status, 2, result.stderr);
  assert.match(
    result.stderr,
    /refusing to expose the Node-RED editor on 0\.0\.0\.0 without a login/,
  );
  assert.match(result.stderr, /fullstack nodered password/);
});

test('with a login: the editor needs it, anonymous MQTT is refused, devices come online', async () => {
  const set = fullstack(
    ['nodered', 'password', '--data-dir', dataDir, '--password-stdin'],
    's3cret-pass',
  );
  assert.is(set.status, 0, set.stderr);
  up = await startUp({ devices: 1, dataDir, extraArgs: ['--host', '0.0.0.0'] });

  const flows = await fetch(`${up.urls.editor}flows`);
  assert.is(flows.status, 401, 'the admin API wants a token');

  const anonymous = await mqtt
    .connectAsync(up.urls.broker, { clientId: 'anonymous-probe', reconnectPeriod: 0 })
    .then(
      async (client) => {
        await client.endAsync();
        return 'connected';
      },
      (error: Error) => error.message,
    );
  assert.match(anonymous, /Not authorized|Bad username or password/i);

  let online = 0;
  for (let i = 0; i < 100 && online < 1; i++) {
    const health = (await (await fetch(`${up.urls.gateway}/health`)).json()) as {
      devices: { online: number };
    };
    online = health.devices.online;
    if (online < 1) await new Promise((r) => setTimeout(r, 200));
  }
  assert.is(online, 1, 'the provisioned simulated device is online');
});

test.run();
