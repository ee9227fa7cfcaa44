/**
 * The Node-RED editor behind its login (adminAuth), in headless Chromium: the login is
 * required, and after it the palette shows the FullStack nodes and Import → Examples has ours.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser } from 'playwright-core';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { checkExposure, type RunningNodeRed, startNodeRed } from '../../flows/launch.js';
import { setAdminPassword } from '../../flows/lib/admin-auth.js';
import { createApiKey } from '../../flows/lib/api-keys.js';
import { silentLogger } from '../../lib/log.js';
import { repoPath } from '../../lib/paths.js';
import { freePort } from '../../lib/ports.js';
import { startTestBroker, type TestBroker } from '../helpers/broker.js';
import { launchBrowser } from '../helpers/browser.js';
import { startLocalNodeRed } from '../helpers/node-red.js';

interface Context {
  broker: TestBroker;
  nodeRed: RunningNodeRed;
  browser: Browser;
  dataDir: string;
}

const PASSWORD = 'correct horse battery';
const FULLSTACK_TYPES = [
  'fullstack in',
  'fullstack presence',
  'fullstack command',
  'fullstack store',
  'fullstack history',
  'fullstack alerts',
  'fullstack api',
  'fullstack ota',
];

const test = suite<Context>('editor: login, palette, examples');

test.before(async (ctx) => {
  ctx.dataDir = mkdtempSync(join(tmpdir(), 'fs-editor-'));
  ctx.broker = await startTestBroker();
  // Without a login, Node-RED may not listen beyond loopback: refused before anything starts.
  await startNodeRed({
    host: '0.0.0.0',
    port: await freePort(),
    dataDir: ctx.dataDir,
    mqtt: { url: ctx.broker.url },
    logger: silentLogger(),
  }).then(
    () => assert.unreachable('started exposed without a login'),
    (error: Error) =>
      assert.match(error.message, /refusing to expose the Node-RED editor on 0\.0\.0\.0/),
  );
  setAdminPassword(ctx.dataDir, 'admin', PASSWORD);
  assert.equal(checkExposure('0.0.0.0', ctx.dataDir), { ok: true, protected: true });
  ctx.nodeRed = await startLocalNodeRed(ctx.dataDir, ctx.broker.url);
  ctx.browser = await launchBrowser();
});

test.after(async (ctx) => {
  await ctx.browser?.close();
  await ctx.nodeRed?.stop();
  await ctx.broker?.close();
  rmSync(ctx.dataDir, { recursive: true, force: true });
});

async function token(ctx: Context): Promise<string> {
  const response = await fetch(`${ctx.nodeRed.url}/auth/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({
      client_id: 'node-red-editor',
      grant_type: 'password',
      scope: '*',
      username: 'admin',
      password: PASSWORD,
    }),
  });
  return ((await response.json()) as { access_token: string }).access_token;
}

test('the admin API refuses requests without a token, and a wrong password', async (ctx) => {
  assert.is((await fetch(`${ctx.nodeRed.url}/flows`)).status, 401);
  const login = (password: string) =>
    fetch(`${ctx.nodeRed.url}/auth/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        client_id: 'node-red-editor',
        grant_type: 'password',
        scope: '*',
        username: 'admin',
        password,
      }),
    });
  assert.is((await login('wrong password')).status, 403);
  const ok = await login(PASSWORD);
  assert.is(ok.status, 200);
  const { access_token: token } = (await ok.json()) as { access_token: string };
  const examples = await fetch(`${ctx.nodeRed.url}/library/examples/flows/`, {
    headers: { authorization: `Bearer ${token}` },
  });
  assert.is(examples.status, 200);
  assert.match(await examples.text(), /node-red-contrib-fullstack/);
});

test('after logging in, the palette shows every FullStack node', async (ctx) => {
  const page = await ctx.browser.newPage();
  const errors: string[] = [];
  page.on('pageerror', (error) => errors.push(error.message));
  await page.goto(ctx.nodeRed.editorUrl);
  const fields = page.locator('#node-dialog-login-fields');
  await fields.locator('input[type="text"]').first().fill('admin', { timeout: 20_000 });
  await fields.locator('input[type="password"]').fill(PASSWORD);
  await page.locator('#node-dialog-login-submit').click();
  for (const type of FULLSTACK_TYPES) {
    await page
      .locator(`.red-ui-palette-node[data-palette-type="${type}"]`)
      .first()
      .waitFor({ state: 'attached', timeout: 20_000 });
  }
  const labels = await page
    .locator('.red-ui-palette-node[data-palette-type^="fullstack"]')
    .allTextContents();
  // The palette breaks long labels with invisible characters: compare words only.
  const words = labels.map((l) => l.replace(/[\s\u00ad\u200b]+/g, ' ').trim());
  assert.equal(words, FULLSTACK_TYPES);
  // The shipped tabs render with our nodes' labels, and no editor script failed.
  await page
    .locator('.red-ui-flow-node-label')
    .getByText('chart history')
    .first()
    .waitFor({ state: 'attached' });
  assert.equal(errors, []);
  await page.close();
});

test('an edit deployed from the editor persists across a restart; the repository copy is untouched', async (ctx) => {
  const shippedFile = repoPath('flows', '20-backend.json');
  const before = readFileSync(shippedFile, 'utf8');
  const auth = { authorization: `Bearer ${await token(ctx)}`, 'content-type': 'application/json' };
  const flows = (await (
    await fetch(`${ctx.nodeRed.url}/flows`, { headers: auth })
  ).json()) as Array<{ id: string; name?: string }>;
  const store = flows.find((n) => n.id === 'fs-store');
  assert.ok(store, 'the shipped store node is deployed');
  store.name = 'my renamed store';
  const deployed = await fetch(`${ctx.nodeRed.url}/flows`, {
    method: 'POST',
    headers: auth,
    body: JSON.stringify(flows),
  });
  assert.is(deployed.status, 204);
  await ctx.nodeRed.stop();
  ctx.nodeRed = await startLocalNodeRed(ctx.dataDir, ctx.broker.url);
  const again = { ...auth, authorization: `Bearer ${await token(ctx)}` };
  const after = (await (
    await fetch(`${ctx.nodeRed.url}/flows`, { headers: again })
  ).json()) as Array<{ id: string; name?: string }>;
  assert.is(after.find((n) => n.id === 'fs-store')?.name, 'my renamed store');
  assert.ok(
    after.some((n) => n.id === 'fs-ui-fleet'),
    'the other shipped units are still there',
  );
  assert.is(readFileSync(shippedFile, 'utf8'), before);
});

test('with FULLSTACK_NR_PROTECT_UI=1 the dashboard and the API ask for the same login', async (ctx) => {
  const guarded = await startLocalNodeRed(ctx.dataDir, ctx.broker.url, {
    env: { FULLSTACK_NR_PROTECT_UI: '1' },
  });
  try {
    assert.is((await fetch(`${guarded.dashboardUrl}/`)).status, 401);
    assert.is((await fetch(`${guarded.url}/api/openapi.json`)).status, 401);
    const basic = `Basic ${Buffer.from(`admin:${PASSWORD}`).toString('base64')}`;
    const ok = await fetch(`${guarded.url}/api/openapi.json`, {
      headers: { authorization: basic },
    });
    assert.is(ok.status, 200);
    // The basic login takes the Authorization header, so the API key goes in X-API-Key.
    const { key } = createApiKey(join(ctx.dataDir, 'api-keys.json'), 'guarded');
    const devices = await fetch(`${guarded.url}/api/devices`, {
      headers: { authorization: basic, 'x-api-key': key },
    });
    assert.is(devices.status, 200);
    const noKey = await fetch(`${guarded.url}/api/devices`, { headers: { authorization: basic } });
    assert.is(noKey.status, 401);
  } finally {
    await guarded.stop();
  }
});

test.run();
