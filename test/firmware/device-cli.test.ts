/**
 * `fullstack device run --simulate` as the lead runs it: a child process from dist/, logs on
 * stderr and nothing on stdout, --id overriding the config's, the boot counter persisted in
 * --state-dir, and a clean goodbye on SIGTERM. Bad arguments fail with precise messages.
 */
import * as assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { suite } from 'uvu';
import { REPO_ROOT, repoPath } from '../../lib/paths.js';
import { startTestBroker } from '../helpers/broker.js';
import { collect } from './collector.js';

const BIN = repoPath('bin', 'fullstack.js');
const test = suite('fullstack device run');

function run(args: string[]) {
  return spawn(process.execPath, [BIN, 'device', 'run', ...args], {
    cwd: REPO_ROOT,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
}

test('--simulate with --id: birth, telemetry, and a clean goodbye on SIGTERM; twice, boot counts up', async () => {
  const broker = await startTestBroker();
  const stateDir = mkdtempSync(join(tmpdir(), 'fs-device-'));
  const sub = await collect(broker.url, 'sim-9');
  try {
    for (const boot of [1, 2]) {
      const child = run([
        repoPath('hardware', 'devices', 'sim-1.json'),
        '--broker',
        broker.url,
        '--id',
        'sim-9',
        '--simulate',
        '--state-dir',
        stateDir,
      ]);
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', (d) => {
        stdout += d;
      });
      child.stderr.on('data', (d) => {
        stderr += d;
      });
      const exited = new Promise<number | null>((resolve) =>
        child.on('exit', (code) => resolve(code)),
      );
      const birth = await sub.waitFor(
        (m) => m.kind === 'status' && m.payload.online === true && m.payload.boot === boot,
        15_000,
        `birth of boot ${boot}`,
      );
      assert.equal(birth.payload.board, 'uno');
      await sub.waitFor(
        (m) => m.kind === 'telemetry' && m.payload.boot === boot,
        10_000,
        'telemetry',
      );
      child.kill('SIGTERM');
      assert.equal(await exited, 0, stderr);
      const goodbye = await sub.waitFor(
        (m) =>
          m.kind === 'status' &&
          m.payload.online === false &&
          sub.messages.indexOf(m) > sub.messages.indexOf(birth),
        5000,
        'goodbye',
      );
      assert.equal(goodbye.payload.reason, 'clean');
      assert.equal(stdout, '', 'nothing on stdout');
      assert.match(stderr, /"msg":"device started"/);
      assert.equal(readFileSync(join(stateDir, 'sim-9', 'boot'), 'utf8').trim(), String(boot));
    }
  } finally {
    await sub.client.publishAsync('fs/v1/sim-9/status', '', { retain: true, qos: 1 });
    await sub.close();
    await broker.close();
    rmSync(stateDir, { recursive: true, force: true });
  }
});

test('bad arguments name what was wrong and what is allowed', () => {
  const cases: [string[], RegExp][] = [
    [
      ['hardware/devices/sim-1.json', '--broker', 'http://x', '--simulate'],
      /has scheme http: \(allowed: mqtt, mqtts, ws, wss, tcp\)/,
    ],
    [
      ['hardware/devices/sim-1.json', '--id', 'Bad_Id', '--simulate'],
      /"Bad_Id" is not a device id/,
    ],
    [['hardware/devices/nope.json', '--broker', 'mqtt://127.0.0.1:1', '--simulate'], /nope\.json/],
    [
      ['hardware/devices/sim-1.json', '--broker', 'mqtt://127.0.0.1:1'],
      /give --port PATH .*or --simulate/,
    ],
    [
      ['hardware/devices/pi-lab.json', '--broker', 'mqtt://127.0.0.1:1'],
      /raspi-io.*npm install raspi-io@11/,
    ],
    [
      ['hardware/devices/esp32-garden.json', '--broker', 'mqtt://127.0.0.1:1'],
      /fullstack build .* --target espruino/,
    ],
  ];
  for (const [args, expected] of cases) {
    const result = spawnSync(process.execPath, [BIN, 'device', 'run', ...args], {
      cwd: REPO_ROOT,
      encoding: 'utf8',
      timeout: 20_000,
    });
    assert.notEqual(result.status, 0, args.join(' '));
    assert.match(result.stderr, expected);
  }
});

test.run();
