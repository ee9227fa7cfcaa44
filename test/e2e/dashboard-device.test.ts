/**
 * The device page in headless Chromium against a real Node-RED (shipped flows) and broker, with
 * a virtual device: charts load their history from storage (across a page reload and a Node-RED
 * restart), update live, and an actuator control round-trips to the device and shows its ack.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { type RunningNodeRed, startNodeRed } from '../../flows/launch.js';
import { ReadingStore } from '../../flows/lib/store.js';
import { silentLogger } from '../../lib/log.js';
import { freePort } from '../../lib/ports.js';
import { startVirtualDevice, subscribed, type VirtualDevice } from '../flows/virtual-device.js';
import { startTestBroker, type TestBroker } from '../helpers/broker.js';
import { launchBrowser } from '../helpers/browser.js';

interface Context {
  broker: TestBroker;
  nodeRed: RunningNodeRed;
  port: number;
  device: VirtualDevice;
  browser: Browser;
  page: Page;
  dataDir: string;
}

const test = suite<Context>('dashboard: device page');

const start = (ctx: Context) =>
  startNodeRed({
    host: '127.0.0.1',
    port: ctx.port,
    dataDir: ctx.dataDir,
    mqtt: { url: ctx.broker.url },
    logger: silentLogger(),
  });

test.before(async (ctx) => {
  ctx.dataDir = mkdtempSync(join(tmpdir(), 'fs-device-page-'));
  ctx.broker = await startTestBroker();
  ctx.port = await freePort();
  const listening = subscribed(ctx.broker.aedes, 'fs/gw/v1/+/telemetry');
  ctx.nodeRed = await start(ctx);
  await listening;
  ctx.device = await startVirtualDevice(ctx.broker.url, { id: 'greenhouse', gateway: 'gw-test' });
  ctx.browser = await launchBrowser();
  ctx.page = await ctx.browser.newPage();
});

test.after(async (ctx) => {
  await ctx.browser?.close();
  await ctx.device?.close();
  await ctx.nodeRed?.stop();
  await ctx.broker?.close();
  rmSync(ctx.dataDir, { recursive: true, force: true });
});

const chart = (page: Page, sensor: string) => page.locator(`.fs-chart[data-sensor="${sensor}"]`);

async function points(page: Page, sensor: string): Promise<number> {
  return Number((await chart(page, sensor).getAttribute('data-points')) ?? '0');
}

async function waitForPoints(page: Page, sensor: string, atLeast: number): Promise<void> {
  await chart(page, sensor).waitFor({ timeout: 20_000 });
  const deadline = Date.now() + 20_000;
  let seen = await points(page, sensor);
  while (seen < atLeast) {
    if (Date.now() > deadline)
      throw new Error(`${sensor} chart has ${seen} points, expected ${atLeast}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
    seen = await points(page, sensor);
  }
}

test('a chart shows stored history when the page opens, and again after a reload', async (ctx) => {
  const now = Date.now();
  for (let i = 0; i < 12; i++)
    await ctx.device.publishReading(
      { temp: 20 + (i % 4), light: 200 + i },
      now - 12 * 60_000 + i * 60_000,
    );
  // Wait until the shipped storage flow has written them (read through the same SQLite file).
  const store = new ReadingStore(join(ctx.dataDir, 'readings.db'));
  try {
    const deadline = Date.now() + 10_000;
    while (
      (store.query({ device: 'greenhouse', sensor: 'temp', from: now - 3600_000, to: now }).series
        .temp?.length ?? 0) < 12
    ) {
      if (Date.now() > deadline) throw new Error('the readings were not stored within 10 s');
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  } finally {
    store.close();
  }
  await ctx.page.goto(`${ctx.nodeRed.dashboardUrl}/device?device=greenhouse`);
  await waitForPoints(ctx.page, 'temp', 12);
  await ctx.page.reload();
  await waitForPoints(ctx.page, 'temp', 12);
  assert.ok((await points(ctx.page, 'light')) >= 12);
});

test('a live reading is appended to the open chart and shown on its gauge', async (ctx) => {
  const before = await points(ctx.page, 'temp');
  await ctx.device.publishReading({ temp: 27.75, light: 250 });
  await waitForPoints(ctx.page, 'temp', before + 1);
  await ctx.page
    .locator('.fs-gauge[data-sensor="temp"] .fs-gauge-value')
    .getByText('27.75')
    .waitFor();
});

test('an actuator control round-trips to the device, which changes state, and shows the ack', async (ctx) => {
  const control = ctx.page.locator('.fs-control[data-actuator="fan_led"]');
  await control.locator('button.fs-on').click();
  await control
    .locator('.fs-ack')
    .getByText(/ack ok/)
    .waitFor();
  assert.is(ctx.device.state.fan_led, true);
  // An LED's state reads on/off, not true/false.
  assert.is((await control.locator('.fs-actuator-state').textContent())?.trim(), 'state: on');
  await control.locator('button.fs-off').click();
  await control.locator('.fs-actuator-state').getByText('state: off').waitFor();
  assert.is(ctx.device.state.fan_led, false);
  const last = ctx.device.commands[ctx.device.commands.length - 1];
  assert.equal([last?.name, last?.args], ['set', { actuator: 'fan_led', value: false }]);
});

test('a command the device does not answer shows a timeout', async (ctx) => {
  ctx.device.silentCommands.add('ping');
  // The shipped flow waits 10 s for an ack; the page shows "sending…" until then.
  const ping = ctx.page.locator('.fs-control[data-actuator="ping"]');
  await ping.locator('button.fs-ping').click();
  await ping.locator('.fs-ack').getByText('sending…').waitFor();
  await ping
    .locator('.fs-ack')
    .getByText(/timeout: no ack/)
    .waitFor({ timeout: 15_000 });
});

test('the chart history survives a Node-RED restart', async (ctx) => {
  const before = await points(ctx.page, 'temp');
  await ctx.nodeRed.stop();
  ctx.nodeRed = await start(ctx);
  await ctx.page.goto(`${ctx.nodeRed.dashboardUrl}/device?device=greenhouse`);
  await waitForPoints(ctx.page, 'temp', before);
});

test.run();
