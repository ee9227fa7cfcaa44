/**
 * OTA end to end with the real device runtime: the real gateway, a simulated Pi device run by
 * the built `fullstack device host` (NodeFirmwareHost, A/B slots, the Node firmware target) and
 * the built `fullstack ota`. A new config's firmware is sent, switched to and confirmed by its
 * birth; then a bundle that never sends a birth is rolled back and the previous firmware runs
 * and reports again. Needs `npm run build` (npm test builds first).
 */
import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { Birth } from '../../contract/payloads.js';
import type { OtaBootRecord } from '../../firmware/ota/slots.js';
import { UpstreamOtaLink } from '../../firmware/ota/upstream-link.js';
import { distPath, repoPath } from '../../lib/paths.js';
import { testGateway } from '../gateway/gateway-helpers.js';

const DEVICE = 'ota-pi';
/** Long enough for a loaded machine to start Node, load the runtime and publish a birth. */
const TRIAL_MS = 10_000;
const CLI = repoPath('bin', 'fullstack.js');

function config(sampleMs: number) {
  return {
    id: DEVICE,
    name: 'OTA bench',
    board: 'rpi4',
    sensors: [{ id: 'env', part: 'bme280', address: 118, sampleMs }],
    actuators: [{ id: 'status', part: 'led', pin: 'GPIO17' }],
    reporting: { minReportMs: 500, maxReportMs: 2000 },
    bufferSize: 100,
  };
}

type Gateway = Awaited<ReturnType<typeof testGateway>>;
let gateway: Gateway | undefined;
let dir: string;
let hostProcess: ChildProcess | undefined;
let hostLog = '';
let link: UpstreamOtaLink | undefined;

function runCli(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [CLI, ...args], { timeout: 90_000 }, (error, stdout, stderr) =>
      resolve({
        code: error ? Number((error as { code?: number }).code ?? 1) : 0,
        stdout,
        stderr,
      }),
    );
  });
}

function otaArgs(gw: Gateway): string[] {
  return [
    '--broker',
    gw.mqttUrl,
    '--gateway',
    gw.gatewayId,
    '--username',
    gw.backend.username,
    '--password',
    gw.backend.password,
    '--chunk-bytes',
    '1024',
    '--trial-ms',
    String(TRIAL_MS),
  ];
}

/**
 * `fullstack ota` checks the gateway's retained device list, which follows presence at most a
 * second behind: wait until a newcomer reading it would see the device online.
 */
async function retainedListShowsOnline(gw: Gateway, device: string): Promise<void> {
  for (let attempt = 0; attempt < 40; attempt++) {
    const fresh = await UpstreamOtaLink.connect({
      url: gw.mqttUrl,
      gatewayId: gw.gatewayId,
      ...gw.backend,
    });
    const known = await fresh.knownDevices();
    await fresh.close();
    if (known?.some((entry) => entry.device === device && entry.online)) return;
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  throw new Error(`the gateway's retained device list never showed ${device} online`);
}

test.after(async () => {
  if (hostProcess && hostProcess.exitCode === null) {
    const exited = new Promise((resolve) => hostProcess?.once('exit', resolve));
    hostProcess.kill('SIGTERM');
    await exited;
  }
  await link?.close();
  await gateway?.cleanup();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

test('fullstack device host runs a simulated Pi; fullstack ota updates it, then rolls back a silent bundle', async () => {
  assert.ok(existsSync(distPath('cli', 'main.js')), 'run `npm run build` first');
  gateway = await testGateway();
  dir = mkdtempSync(join(tmpdir(), 'fullstack-otahost-'));
  const configPath = join(dir, 'ota-pi.json');
  writeFileSync(configPath, JSON.stringify(config(1000)));
  link = await UpstreamOtaLink.connect({
    url: gateway.mqttUrl,
    gatewayId: gateway.gatewayId,
    ...gateway.backend,
  });
  const births = link.watchBirths(DEVICE);
  const nextBirth = async (what: string): Promise<Birth> => {
    const birth = await births.next(30_000);
    if (!birth) throw new Error(`no birth (${what}); host log:\n${hostLog}`);
    return birth;
  };

  const stateDir = join(dir, 'state');
  hostProcess = spawn(
    process.execPath,
    [
      CLI,
      'device',
      'host',
      configPath,
      '--simulate',
      '--broker',
      gateway.mqttUrl,
      '--state-dir',
      stateDir,
      '--trial-ms',
      String(TRIAL_MS),
    ],
    { stdio: ['ignore', 'ignore', 'pipe'] },
  );
  hostProcess.stderr?.on('data', (chunk: Buffer) => {
    hostLog += chunk.toString();
  });

  const first = await nextBirth('first start');
  assert.match(first.fw, /^fullstack\/[^+]+\+[0-9a-f]{8}$/);
  assert.is(first.board, 'rpi4');
  const slots = join(stateDir, DEVICE, 'firmware');
  const record = () => JSON.parse(readFileSync(join(slots, 'boot.json'), 'utf8')) as OtaBootRecord;
  assert.equal(record(), { slot: 'a', fw: first.fw, size: record().size });
  const ping = await link.command(DEVICE, 'ping', {}, 5000);
  assert.ok(ping.ok, JSON.stringify(ping));

  // A new config: a new firmware, built from it by `fullstack ota` and sent through the gateway.
  const newConfig = join(dir, 'ota-pi-v2.json');
  writeFileSync(newConfig, JSON.stringify(config(1500)));
  await retainedListShowsOnline(gateway, DEVICE);
  const updated = await runCli(['ota', DEVICE, newConfig, ...otaArgs(gateway)]);
  assert.is(updated.code, 0, `${updated.stdout}\n${updated.stderr}\nhost:\n${hostLog}`);
  const fw2 = /^ota-pi runs (\S+) \(\d+ bytes in \d+ chunks\)\.$/m.exec(updated.stdout)?.[1];
  assert.ok(fw2, updated.stdout);
  assert.is.not(fw2, first.fw);
  assert.match(updated.stderr, /^done: ota-pi runs /m);
  let birth = await nextBirth('after the update');
  while (birth.fw !== fw2) birth = await nextBirth('the new firmware');
  const afterUpdate = record();
  assert.is(afterUpdate.slot, 'b');
  assert.is(afterUpdate.fw, fw2);
  assert.is(afterUpdate.previousFw, first.fw);
  assert.is(afterUpdate.trial, undefined, 'confirmed by its birth');
  const status = await link.command(DEVICE, 'ota-status', {}, 5000);
  assert.ok(status.ok && (status.result as { slot: string }).slot === 'b', JSON.stringify(status));

  // A bundle that starts but never sends a birth: rolled back to fw2 after the trial.
  const silent = join(dir, 'silent.cjs');
  writeFileSync(silent, "'use strict';\nsetInterval(() => {}, 1000);\n");
  await retainedListShowsOnline(gateway, DEVICE);
  const back = await runCli([
    'ota',
    DEVICE,
    '--bundle',
    silent,
    '--fw',
    'silent-1',
    ...otaArgs(gateway),
  ]);
  assert.is(back.code, 2, `${back.stdout}\n${back.stderr}\nhost:\n${hostLog}`);
  assert.match(back.stdout, new RegExp(`^ota-pi rolled back to ${fw2.replace(/[+.]/g, '\\$&')}`));
  const rolled = record();
  assert.is(rolled.slot, 'b');
  assert.is(rolled.fw, fw2);
  assert.is(rolled.rolledBack?.fw, 'silent-1');
  assert.match(rolled.rolledBack?.reason ?? '', new RegExp(`no birth within ${TRIAL_MS} ms`));
  assert.match(hostLog, /rolled back from silent-1/);
  // The previous firmware runs and reports again: a birth from a new boot, and it answers.
  const latest = await link.currentBirth(DEVICE);
  assert.is(latest?.fw, fw2);
  assert.ok((latest?.boot ?? 0) > birth.boot, `boot ${latest?.boot} after ${birth.boot}`);
  const again = await link.command(DEVICE, 'ping', {}, 5000);
  assert.ok(again.ok, JSON.stringify(again));
  births.stop();
});

test.run();
