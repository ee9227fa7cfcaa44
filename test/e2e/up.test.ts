/**
 * The foundation's promise, end to end: `fullstack up` on free ports prints `FullStack ready`,
 * the broker carries contract-conformant births and telemetry, the dashboard in a real browser
 * shows every simulated device with a reading that changes, and Ctrl-C leaves no process behind.
 */
import { spawnSync } from 'node:child_process';
import mqtt from 'mqtt';
import type { Browser } from 'playwright-core';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { parseDeviceMessage } from '../../contract/index.js';
import { distPath } from '../../lib/paths.js';
import { launchBrowser } from '../helpers/browser.js';
import { type RunningUp, startUp } from '../helpers/fullstack-up.js';

let up: RunningUp;
let browser: Browser | undefined;

test.before(async () => {
  up = await startUp({ devices: 3 });
});

test.after(async () => {
  await browser?.close();
  up?.cleanup();
});

test('prints the ready line with the URLs on the chosen ports', () => {
  assert.ok(up.urls.broker.endsWith(`:${up.ports.mqtt}`), up.readyLine);
  assert.ok(up.urls.dashboard.includes(`:${up.ports.ui}/`), up.readyLine);
  assert.ok(up.urls.editor.includes(`:${up.ports.ui}`), up.readyLine);
  assert.ok(up.urls.gateway.endsWith(`:${up.ports.gateway}`), up.readyLine);
});

test('a second fullstack up on the same data dir is refused, naming the first', () => {
  const second = spawnSync(
    process.execPath,
    [distPath('cli', 'main.js'), 'up', '--data-dir', up.dataDir, '--devices', '0'],
    { encoding: 'utf8', timeout: 30_000 },
  );
  assert.is(second.status, 2, second.stderr);
  assert.match(second.stderr, new RegExp(`in use by \`fullstack up\` \\(pid ${up.child.pid}`));
});

test('the broker carries contract-conformant births and telemetry from every device', async () => {
  const client = await mqtt.connectAsync(up.urls.broker, { clientId: 'e2e-observer' });
  const births = new Set<string>();
  const telemetry = new Map<string, number>();
  const problems: string[] = [];
  client.on('message', (topic, payload) => {
    if (!topic.startsWith('fs/v1/')) return;
    const result = parseDeviceMessage(topic, payload);
    if (!result.ok) {
      problems.push(`${topic}: ${result.detail}`);
      return;
    }
    const { deviceId, kind, payload: body } = result.value;
    if (kind === 'status' && body.online) births.add(deviceId);
    if (kind === 'telemetry') telemetry.set(deviceId, (telemetry.get(deviceId) ?? 0) + 1);
  });
  await client.subscribeAsync('fs/v1/#', { qos: 1 });
  const deadline = Date.now() + 20_000;
  while (Date.now() < deadline && (births.size < 3 || telemetry.size < 3)) {
    await new Promise((r) => setTimeout(r, 200));
  }
  await client.endAsync();
  assert.equal(problems, []);
  assert.equal([...births].sort(), ['sim-1', 'sim-2', 'sim-3']);
  assert.equal([...telemetry.keys()].sort(), ['sim-1', 'sim-2', 'sim-3']);
});

test('the dashboard lists every device, online, with a reading that changes within 15 s', async () => {
  browser = await launchBrowser();
  const page = await browser.newPage();
  await page.goto(up.urls.dashboard);
  const row = (id: string) => page.locator(`[data-device="${id}"]`);
  for (const id of ['sim-1', 'sim-2', 'sim-3']) {
    await row(id).waitFor({ timeout: 20_000 });
    await row(id).locator('.fs-state').getByText('online').waitFor({ timeout: 20_000 });
  }
  const readings = page.locator('[data-device="sim-1"] [data-sensor] .fs-value');
  await readings.first().waitFor({ timeout: 20_000 });
  // Only the readings count: a "last seen" clock in the row would change on its own.
  // The expression runs in the page (as a string: the test is compiled without DOM types).
  const readingsText = `Array.from(document.querySelectorAll('[data-device="sim-1"] [data-sensor] .fs-value')).map((e) => e.textContent).join('|')`;
  await page.waitForFunction(`/\\d/.test(${readingsText})`, undefined, { timeout: 20_000 });
  const before = (await page.evaluate(readingsText)) as string;
  const changed = await page
    .waitForFunction(`${readingsText} !== ${JSON.stringify(before)}`, undefined, {
      timeout: 15_000,
    })
    .then(
      () => true,
      () => false,
    );
  assert.ok(changed, `the readings of sim-1 stayed "${before}" for 15 s`);
});

async function waitFor(what: string, check: () => boolean | Promise<boolean>, timeoutMs = 30_000) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await check()) return;
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`timed out waiting for ${what}\n${up.output()}`);
}

function pidOf(pattern: RegExp): number | undefined {
  const line = up.descendants().find((l) => pattern.test(l));
  return line ? Number(line.split(/\s+/)[0]) : undefined;
}

test('a simulated device that crashes is restarted; the others keep running', async () => {
  const pid = pidOf(/--id sim-2\b/);
  assert.ok(pid, 'the process of sim-2 is running');
  const otherPid = pidOf(/--id sim-1\b/);
  process.kill(pid as number, 'SIGKILL');
  await waitFor('sim-2 to crash and restart', () => /restarting sim-2/.test(up.output()));
  await waitFor('a new sim-2 process', () => {
    const again = pidOf(/--id sim-2\b/);
    return again !== undefined && again !== pid;
  });
  assert.is(pidOf(/--id sim-1\b/), otherPid, 'sim-1 was not restarted');
});

test('Node-RED that crashes is restarted and serves the dashboard again', async () => {
  const pid = pidOf(/^\d+ node-red$/);
  assert.ok(pid, 'Node-RED is running');
  process.kill(pid as number, 'SIGKILL');
  await waitFor('Node-RED to crash and restart', () => /node-red crashed/.test(up.output()));
  await waitFor(
    'the dashboard to answer again',
    async () => {
      const again = pidOf(/^\d+ node-red$/);
      if (again === undefined || again === pid) return false;
      const res = await fetch(up.urls.dashboard).catch(() => undefined);
      return res?.ok === true;
    },
    60_000,
  );
});

test('Ctrl-C stops everything cleanly, leaving no process behind', async () => {
  assert.ok(up.descendants().length >= 4, 'Node-RED and three devices run below fullstack up');
  const code = await up.stop('SIGINT');
  assert.is(code, 0, up.output());
  assert.match(up.output(), /FullStack stopped/);
  // Children are killed by the supervisor before the parent exits; give the OS a moment to reap.
  let left = up.leftovers();
  for (let i = 0; i < 20 && left.length > 0; i++) {
    await new Promise((r) => setTimeout(r, 100));
    left = up.leftovers();
  }
  assert.equal(left, []);
});

test.run();
