/**
 * OTA end to end: the real gateway (broker, command router, presence), the CLI's sender over
 * the gateway's upstream topics, and a device run by the real NodeFirmwareHost from A/B slots.
 */

import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { build } from 'esbuild';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { Birth } from '../../contract/payloads.js';
import { FileSlotStore } from '../../firmware/ota/file-slots.js';
import { type HostEvent, NodeFirmwareHost } from '../../firmware/ota/node-host.js';
import { OTA_COMMANDS, type OtaEvent } from '../../firmware/ota/protocol.js';
import { OtaError, type OtaLink, sendOta } from '../../firmware/ota/sender.js';
import { UpstreamOtaLink } from '../../firmware/ota/upstream-link.js';
import { systemClock } from '../../lib/clock.js';
import { repoPath } from '../../lib/paths.js';
import { testGateway } from '../gateway/gateway-helpers.js';

const DEVICE = 'ota-dev';
/** Long enough for a loaded CI machine to start a Node child and publish. */
const TRIAL_MS = 4000;

async function firmware(version: string, sendsBirth = true): Promise<Buffer> {
  const result = await build({
    entryPoints: [join(import.meta.dirname, 'fixtures', 'ota-device.ts')],
    bundle: true,
    platform: 'node',
    format: 'cjs',
    write: false,
    logLevel: 'silent',
    // mqtt stays outside the bundle (found through NODE_PATH) to keep the image a few KB.
    external: ['mqtt'],
    define: { FIRMWARE_VERSION: JSON.stringify(version), SENDS_BIRTH: String(sendsBirth) },
  });
  return Buffer.from(result.outputFiles[0]!.contents);
}

type Gateway = Awaited<ReturnType<typeof testGateway>>;
let gateway: Gateway;
let dir: string;
let store: FileSlotStore;
let host: NodeFirmwareHost;
let link: UpstreamOtaLink;
const hostEvents: HostEvent[] = [];

/** Starts the gateway, the link and a device running `fw`; resolves at its first birth. */
async function setUp(fw: string): Promise<Birth> {
  gateway = await testGateway();
  dir = mkdtempSync(join(tmpdir(), 'fullstack-ota-'));
  store = new FileSlotStore(dir);
  store.install(await firmware(fw), fw);
  link = await UpstreamOtaLink.connect({
    url: gateway.mqttUrl,
    gatewayId: gateway.gatewayId,
    ...gateway.backend,
  });
  const born = link.nextBirth(DEVICE, 10_000);
  host = new NodeFirmwareHost({
    store,
    clock: systemClock,
    env: {
      ...process.env,
      NODE_PATH: repoPath('node_modules'),
      FS_BROKER: gateway.mqttUrl,
      FS_DEVICE: DEVICE,
      FS_TRIAL_MS: String(TRIAL_MS),
    },
    stdio: 'pipe',
    onEvent: (e) => hostEvents.push(e),
  });
  host.start();
  const birth = await born;
  if (!birth) throw new Error('the device sent no first birth');
  return birth;
}

test.after.each(async () => {
  await host?.stop();
  await link?.close();
  await gateway?.cleanup();
  rmSync(dir, { recursive: true, force: true });
  hostEvents.length = 0;
});

const sendOptions = (bundle: Buffer, fw: string, events: OtaEvent[]) => ({
  device: DEVICE,
  bundle,
  fw,
  chunkBytes: 512,
  trialMs: TRIAL_MS,
  now: () => Date.now(),
  onEvent: (e: OtaEvent) => events.push(e),
});

test('an update is sent in hashed chunks, verified, switched and confirmed by its birth', async () => {
  const first = await setUp('fw-1.0.0');
  assert.is(first.fw, 'fw-1.0.0');
  const events: OtaEvent[] = [];
  const bundle = await firmware('fw-2.0.0');
  const result = await sendOta(link, sendOptions(bundle, 'fw-2.0.0', events));
  assert.equal(
    result.outcome,
    'updated',
    JSON.stringify({ hostEvents, events: events.map((e) => [e.ts, e.phase, e.detail]) }),
  );
  assert.is(result.runningFw, 'fw-2.0.0');
  assert.ok(result.chunks > 3, `${result.chunks} chunks`);
  const record = store.readRecord()!;
  assert.is(record.slot, 'b');
  assert.is(record.fw, 'fw-2.0.0');
  assert.is(record.previousFw, 'fw-1.0.0');
  assert.is(record.trial, undefined, 'the trial was confirmed');
  assert.ok(store.readSlot('b')!.equals(bundle));
  assert.ok(store.readSlot('a')!.length > 0, 'the previous firmware is kept');
  assert.equal(
    [...new Set(events.map((e) => e.phase))],
    ['starting', 'sending', 'switching', 'waiting-birth', 'done'],
  );
  assert.is(events.at(-1)!.sent, bundle.length);
  assert.ok(hostEvents.some((e) => e.type === 'confirmed' && e.fw === 'fw-2.0.0'));
});

test('a corrupted chunk is refused by its hash; the device keeps its firmware', async () => {
  await setUp('fw-1.0.0');
  const refusals: string[] = [];
  // The wire flips bits in chunk 1 every time it is sent.
  const corrupting: OtaLink = {
    command: async (device, name, args, timeoutMs) => {
      const corrupt = name === OTA_COMMANDS.chunk && args.index === 1;
      const sent = corrupt ? { ...args, data: `A${String(args.data).slice(1)}` } : args;
      const ack = await link.command(device, name, sent, timeoutMs);
      if (!ack.ok) refusals.push(ack.error);
      return ack;
    },
    currentBirth: (device) => link.currentBirth(device),
    watchBirths: (device) => link.watchBirths(device),
    publishEvent: (event) => link.publishEvent(event),
  };
  const events: OtaEvent[] = [];
  const bundle = await firmware('fw-2.0.0');
  try {
    await sendOta(corrupting, sendOptions(bundle, 'fw-2.0.0', events));
    assert.unreachable('the update should fail');
  } catch (error) {
    assert.instance(error, OtaError);
    assert.match(
      (error as Error).message,
      /chunk 1 of \d+ was refused by ota-dev: ota-chunk 1 refused: sha256 mismatch/,
    );
    assert.match((error as Error).message, /keeps running its current firmware/);
  }
  assert.is(refusals.length, 3, 'sent three times, refused three times');
  assert.equal(store.readRecord(), {
    slot: 'a',
    fw: 'fw-1.0.0',
    size: store.readSlot('a')!.length,
  });
  const ping = await link.command(DEVICE, 'ping', {}, 5000);
  assert.equal(ping, { id: ping.id, ok: true, result: { fw: 'fw-1.0.0' } });
  assert.is(events.at(-1)!.phase, 'failed');
});

test('a new firmware that never sends its birth is rolled back; the old one runs and reports', async () => {
  await setUp('fw-1.0.0');
  const events: OtaEvent[] = [];
  const silent = await firmware('fw-3.0.0-broken', false);
  const result = await sendOta(link, sendOptions(silent, 'fw-3.0.0-broken', events));
  assert.is(result.outcome, 'rolled-back');
  assert.is(result.runningFw, 'fw-1.0.0');
  const record = store.readRecord()!;
  assert.is(record.slot, 'a');
  assert.is(record.fw, 'fw-1.0.0');
  assert.is(record.rolledBack?.fw, 'fw-3.0.0-broken');
  assert.match(record.rolledBack!.reason, new RegExp(`no birth within ${TRIAL_MS} ms`));
  const ping = await link.command(DEVICE, 'ping', {}, 5000);
  assert.equal(ping.ok && ping.result, { fw: 'fw-1.0.0' });
  assert.is(events.at(-1)!.phase, 'rolled-back');
  assert.match(events.at(-1)!.detail!, /went back to fw-1\.0\.0/);
});

test('a rebuild that reports the same version is told apart from a rollback by its hash', async () => {
  await setUp('fw-1.0.0');
  const rebuild = Buffer.concat([await firmware('fw-1.0.0'), Buffer.from('\n// rebuilt\n')]);
  const result = await sendOta(link, sendOptions(rebuild, 'fw-1.0.0', []));
  assert.is(result.outcome, 'updated');
  const status = await link.command(DEVICE, 'ota-status', {}, 5000);
  assert.ok(status.ok);
  assert.is(
    (status.result as { sha256: string }).sha256,
    createHash('sha256').update(rebuild).digest('hex'),
  );
  const silent = Buffer.concat([await firmware('fw-1.0.0', false), Buffer.from('\n// broken\n')]);
  const back = await sendOta(link, sendOptions(silent, 'fw-1.0.0', []));
  assert.is(back.outcome, 'rolled-back');
});

test('`fullstack ota` from the built CLI: progress lines, the outcome, exit status', async () => {
  await setUp('fw-1.0.0');
  const file = join(dir, 'fw-2.cjs');
  writeFileSync(file, await firmware('fw-2.0.0'));
  const run = (bundle: string, fw: string) =>
    new Promise<{ code: number; stdout: string; stderr: string }>((resolve) => {
      execFile(
        process.execPath,
        [
          repoPath('bin', 'fullstack.js'),
          'ota',
          DEVICE,
          '--bundle',
          bundle,
          '--fw',
          fw,
          '--broker',
          gateway.mqttUrl,
          '--username',
          gateway.backend.username,
          '--password',
          gateway.backend.password,
          '--chunk-bytes',
          '512',
          '--trial-ms',
          String(TRIAL_MS),
        ],
        { timeout: 60_000 },
        (error, stdout, stderr) =>
          resolve({
            code: error ? Number((error as { code?: number }).code ?? 1) : 0,
            stdout,
            stderr,
          }),
      );
    });
  const ok = await run(file, 'fw-2.0.0');
  assert.is(ok.code, 0, ok.stderr);
  assert.match(
    ok.stdout,
    /^ota-dev runs fw-2\.0\.0 \(\d+ bytes in \d+ chunks\)\.$/m,
    JSON.stringify(ok),
  );
  assert.match(ok.stderr, /^starting: \d+ bytes in \d+ chunks/m);
  assert.match(ok.stderr, /^ota 100% \((\d+)\/\1 bytes\)$/m);
  assert.match(ok.stderr, /^done: ota-dev runs fw-2\.0\.0$/m);
  const broken = join(dir, 'fw-3.cjs');
  writeFileSync(broken, await firmware('fw-3.0.0', false));
  const back = await run(broken, 'fw-3.0.0');
  assert.is(back.code, 2);
  assert.match(back.stdout, /ota-dev rolled back to fw-2\.0\.0/);
});

test.run();
