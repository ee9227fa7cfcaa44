/**
 * OTA progress on the dashboard, end to end: the real gateway (broker, command router,
 * presence), a device run by the real NodeFirmwareHost from A/B slots, the CLI's real sender
 * over the gateway's upstream topics, a real Node-RED with the shipped flows on that broker,
 * and the fleet and device pages in headless Chromium. The sender is held before one chunk
 * so that the test can see a progress value that is neither 0 nor 100.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { build } from 'esbuild';
import mqtt from 'mqtt';
import { pino } from 'pino';
import type { Browser, Page } from 'playwright-core';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { upstreamTopic } from '../../contract/topics.js';
import { FileSlotStore } from '../../firmware/ota/file-slots.js';
import { NodeFirmwareHost } from '../../firmware/ota/node-host.js';
import { OTA_COMMANDS } from '../../firmware/ota/protocol.js';
import { type OtaLink, sendOta } from '../../firmware/ota/sender.js';
import { UpstreamOtaLink } from '../../firmware/ota/upstream-link.js';
import { type RunningNodeRed, startNodeRed } from '../../flows/launch.js';
import { systemClock } from '../../lib/clock.js';
import { repoPath } from '../../lib/paths.js';
import { freePort } from '../../lib/ports.js';
import { testGateway } from '../gateway/gateway-helpers.js';
import { launchBrowser } from '../helpers/browser.js';

const DEVICE = 'ota-dev';
/** As in test/flash/ota.test.ts: long enough for a loaded machine to start a Node child. */
const TRIAL_MS = 4000;
const CHUNK_BYTES = 512;
/** The sender is held before sending this chunk (so 2 × 512 bytes are acknowledged). */
const HOLD_AT_CHUNK = 2;

async function firmware(version: string, sendsBirth = true): Promise<Buffer> {
  const result = await build({
    entryPoints: [repoPath('test', 'flash', 'fixtures', 'ota-device.ts')],
    bundle: true,
    platform: 'node',
    format: 'cjs',
    write: false,
    logLevel: 'silent',
    external: ['mqtt'],
    define: { FIRMWARE_VERSION: JSON.stringify(version), SENDS_BIRTH: String(sendsBirth) },
  });
  return Buffer.from(result.outputFiles[0]!.contents);
}

interface Context {
  gateway: Awaited<ReturnType<typeof testGateway>>;
  dir: string;
  host: NodeFirmwareHost;
  link: UpstreamOtaLink;
  nodeRed: RunningNodeRed;
  browser: Browser;
  fleet: Page;
  device: Page;
  /** Node-RED's warnings, as the launcher logs them. */
  warnings: string[];
}

const test = suite<Context>('dashboard: OTA progress');

test.before(async (ctx) => {
  ctx.warnings = [];
  ctx.gateway = await testGateway();
  ctx.dir = mkdtempSync(join(tmpdir(), 'fs-dashboard-ota-'));
  const store = new FileSlotStore(join(ctx.dir, 'slots'));
  store.install(await firmware('fw-1.0.0'), 'fw-1.0.0');
  ctx.link = await UpstreamOtaLink.connect({
    url: ctx.gateway.mqttUrl,
    gatewayId: ctx.gateway.gatewayId,
    ...ctx.gateway.backend,
  });
  const born = ctx.link.nextBirth(DEVICE, 10_000);
  ctx.host = new NodeFirmwareHost({
    store,
    clock: systemClock,
    env: {
      ...process.env,
      NODE_PATH: repoPath('node_modules'),
      FS_BROKER: ctx.gateway.mqttUrl,
      FS_DEVICE: DEVICE,
      FS_TRIAL_MS: String(TRIAL_MS),
    },
    stdio: 'pipe',
  });
  ctx.host.start();
  if (!(await born)) throw new Error('the device sent no first birth');
  const logs = new Writable({
    write(chunk, _encoding, callback) {
      for (const line of String(chunk).split('\n').filter(Boolean)) {
        ctx.warnings.push((JSON.parse(line) as { msg: string }).msg);
      }
      callback();
    },
  });
  ctx.nodeRed = await startNodeRed({
    host: '127.0.0.1',
    port: await freePort(),
    dataDir: join(ctx.dir, 'data'),
    mqtt: { url: ctx.gateway.mqttUrl, ...ctx.gateway.backend },
    gatewayId: ctx.gateway.gatewayId,
    logger: pino({ level: 'warn' }, logs),
  });
  ctx.browser = await launchBrowser();
  ctx.fleet = await ctx.browser.newPage();
  ctx.device = await ctx.browser.newPage();
});

test.after(async (ctx) => {
  await ctx.browser?.close();
  await ctx.nodeRed?.stop();
  await ctx.host?.stop();
  await ctx.link?.close();
  await ctx.gateway?.cleanup();
  if (ctx.dir) rmSync(ctx.dir, { recursive: true, force: true });
});

/** The real link, with the sender held before one chunk until `release()`. */
function heldLink(link: UpstreamOtaLink) {
  let reached!: () => void;
  let release!: () => void;
  const atHold = new Promise<void>((resolve) => {
    reached = resolve;
  });
  const released = new Promise<void>((resolve) => {
    release = resolve;
  });
  const held: OtaLink = {
    command: async (device, name, args, timeoutMs) => {
      if (name === OTA_COMMANDS.chunk && args.index === HOLD_AT_CHUNK) {
        reached();
        await released;
      }
      return link.command(device, name, args, timeoutMs);
    },
    currentBirth: (device) => link.currentBirth(device),
    watchBirths: (device) => link.watchBirths(device),
    publishEvent: (event) => link.publishEvent(event),
  };
  return { held, atHold, release };
}

const options = (bundle: Buffer, fw: string) => ({
  device: DEVICE,
  bundle,
  fw,
  chunkBytes: CHUNK_BYTES,
  trialMs: TRIAL_MS,
  now: () => Date.now(),
});

const row = (ctx: Context) => ctx.fleet.locator(`tr[data-device="${DEVICE}"]`);
const card = (page: Page) => page.locator('.fs-ota-card');

test('both pages list the device before any update', async (ctx) => {
  await ctx.fleet.goto(ctx.nodeRed.dashboardUrl);
  await row(ctx).locator('.fs-fw').getByText('fw-1.0.0').waitFor({ timeout: 20_000 });
  assert.is(await row(ctx).locator('[data-ota]').getAttribute('data-ota'), 'none');
  await ctx.device.goto(`${ctx.nodeRed.dashboardUrl}/device?device=${DEVICE}`);
  await card(ctx.device).getByText('No update since Node-RED started').waitFor({ timeout: 20_000 });
});

test('malformed events are ignored and reported; the flows keep running', async (ctx) => {
  const client = await mqtt.connectAsync(ctx.gateway.mqttUrl, {
    ...ctx.gateway.backend,
    clientId: 'test-bad-events',
  });
  const topic = upstreamTopic(ctx.gateway.gatewayId, 'events');
  await client.publishAsync(topic, 'not json', { qos: 1 });
  await client.publishAsync(
    topic,
    JSON.stringify({
      type: 'ota',
      device: DEVICE,
      phase: 'flashing',
      fw: 'x',
      sent: 0,
      total: 1,
      ts: 1,
    }),
    { qos: 1 },
  );
  await client.endAsync();
  const deadline = Date.now() + 10_000;
  while (!ctx.warnings.some((w) => w.includes('phase is "flashing"')) && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  assert.ok(
    ctx.warnings.some((w) => w.includes(`${topic}: payload is not JSON`)),
    ctx.warnings.join('\n'),
  );
  assert.ok(
    ctx.warnings.some((w) => w.includes('phase is "flashing", expected one of starting')),
    ctx.warnings.join('\n'),
  );
  assert.is(await row(ctx).locator('[data-ota]').getAttribute('data-ota'), 'none');
});

test('an update shows its progress live on both pages, then "updated to"', async (ctx) => {
  const bundle = await firmware('fw-2.0.0');
  const percent = Math.floor(((HOLD_AT_CHUNK * CHUNK_BYTES) / bundle.length) * 100);
  assert.ok(percent > 0 && percent < 100, `${percent}% of ${bundle.length} bytes`);
  const { held, atHold, release } = heldLink(ctx.link);
  const sending = sendOta(held, options(bundle, 'fw-2.0.0'));
  await atHold;
  try {
    await row(ctx).locator('[data-ota="updating"]').getByText(`updating ${percent}%`).waitFor();
    const bar = card(ctx.device).locator('[role="progressbar"]');
    await card(ctx.device).locator('.fs-ota-text').getByText(`updating ${percent}%`).waitFor();
    assert.is(await bar.getAttribute('aria-valuenow'), String(percent));
    assert.match(
      (await card(ctx.device).locator('.fs-ota-bytes').textContent()) ?? '',
      new RegExp(`fw-2\\.0\\.0 · ${HOLD_AT_CHUNK * CHUNK_BYTES} of ${bundle.length} bytes`),
    );
  } finally {
    release();
  }
  const result = await sending;
  assert.is(result.outcome, 'updated');
  await row(ctx).locator('[data-ota="updated"]').getByText('updated to fw-2.0.0').waitFor();
  await row(ctx).locator('.fs-fw').getByText('fw-2.0.0').waitFor();
  const done = ctx.device.locator('.fs-ota-card[data-ota="updated"]');
  await done
    .locator('.fs-ota-last')
    .getByText(/Last outcome: updated to fw-2\.0\.0/)
    .waitFor();
  assert.is(await done.locator('[role="progressbar"]').getAttribute('aria-valuenow'), '100');
});

test('a firmware that never sends its birth shows "rolled back" with the reason', async (ctx) => {
  const silent = await firmware('fw-3.0.0-broken', false);
  const result = await sendOta(ctx.link, options(silent, 'fw-3.0.0-broken'));
  assert.is(result.outcome, 'rolled-back');
  const reason = `rolled back: no birth within ${TRIAL_MS} ms`;
  await row(ctx).locator('[data-ota="rolled-back"]').getByText(reason).waitFor();
  assert.match((await row(ctx).locator('.fs-fw').textContent()) ?? '', /fw-2\.0\.0/);
  const back = ctx.device.locator('.fs-ota-card[data-ota="rolled-back"]');
  await back.locator('.fs-ota-last').getByText(`Last outcome: ${reason}`).waitFor();
  assert.match(
    (await back.locator('.fs-ota-detail').textContent()) ?? '',
    /ota-dev went back to fw-2\.0\.0/,
  );
});

test('a device page opened later shows the last outcome at once', async (ctx) => {
  const page = await ctx.browser.newPage();
  try {
    await page.goto(`${ctx.nodeRed.dashboardUrl}/device?device=${DEVICE}`);
    await page
      .locator('.fs-ota-card[data-ota="rolled-back"] .fs-ota-text')
      .getByText(`rolled back: no birth within ${TRIAL_MS} ms`)
      .waitFor({ timeout: 20_000 });
  } finally {
    await page.close();
  }
});

test.run();
