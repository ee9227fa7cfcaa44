/**
 * Runs FullStack nodes in node-red-node-test-helper (a real Node-RED runtime, in process)
 * against a real broker, loading the bundles exactly as Node-RED would: built by esbuild into
 * a temporary package directory and loaded with require().
 */
import { mkdirSync, mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import mqtt from 'mqtt';
import { suite, type Test } from 'uvu';
import { buildNodePackage, NODE_ENTRIES } from '../../flows/build-nodes.js';
import { repoPath } from '../../lib/paths.js';
import { startTestBroker, type TestBroker } from '../helpers/broker.js';
import { until } from '../helpers/until.js';

export { until };

const require = createRequire(import.meta.url);

// biome-ignore lint/suspicious/noExplicitAny: node-red-node-test-helper ships no types
export type Helper = any;

export interface Harness {
  helper: Helper;
  broker: TestBroker;
  /** Plays the gateway on the broker. */
  gateway: mqtt.MqttClient;
  nodes: unknown[];
  dir: string;
  close(): Promise<void>;
}

export async function startHarness(): Promise<Harness> {
  const dir = mkdtempSync(join(tmpdir(), 'fs-nodes-'));
  const out = await buildNodePackage(join(dir, 'package'));
  // Only the package's declared dependency (better-sqlite3, native, and what it loads at run
  // time), as npm would install it: anything else a bundle needs but lacks fails to load here.
  mkdirSync(join(out, 'node_modules'));
  for (const name of ['better-sqlite3', 'bindings', 'file-uri-to-path']) {
    symlinkSync(repoPath('node_modules', name), join(out, 'node_modules', name), 'dir');
  }
  const helper: Helper = require('node-red-node-test-helper');
  helper.init(require.resolve('node-red'));
  await helper.startServer();
  const broker = await startTestBroker();
  const gateway = await mqtt.connectAsync(broker.url, { clientId: 'harness-gateway' });
  const nodes = Object.keys(NODE_ENTRIES).map((name) => require(join(out, `${name}.js`)));
  return {
    helper,
    broker,
    gateway,
    nodes,
    dir,
    async close() {
      await helper.unload();
      await helper.stopServer();
      await gateway.endAsync();
      await broker.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** A backend config node pointing at the harness broker, for test flows. */
/**
 * A suite with one harness for all its tests (a broker and Node-RED's test helper), its flows
 * unloaded after each test and everything closed at the end.
 */
export function harnessSuite(name: string): Test<{ h: Harness }> {
  const test = suite<{ h: Harness }>(name);
  test.before(async (ctx) => {
    ctx.h = await startHarness();
  });
  test.after(async (ctx) => {
    await ctx.h.close();
  });
  test.after.each(async (ctx) => {
    await ctx.h.helper.unload();
  });
  return test;
}

export function backendConfig(h: Harness, extra: Record<string, unknown> = {}) {
  return { id: 'backend', type: 'fullstack-backend', url: h.broker.url, gateway: '+', ...extra };
}

/**
 * Resolves once the backend used by `nodeId` is subscribed: it turns "connected" only after its
 * SUBACK, so nothing the test publishes from then on is missed.
 */
export function connected(h: Harness, nodeId: string, timeoutMs = 5000): Promise<void> {
  const backend = h.helper.getNode('backend').backend;
  return new Promise((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`${nodeId}: backend not connected in ${timeoutMs} ms`)),
      timeoutMs,
    );
    const check = () => {
      if (backend.state !== 'connected') return false;
      clearTimeout(timer);
      resolve();
      return true;
    };
    if (!check()) backend.stateChanges.on(check);
  });
}

/** The next message a helper node receives. */
export function nextMessage(
  h: Harness,
  nodeId: string,
  timeoutMs = 5000,
): Promise<Record<string, unknown>> {
  const node = h.helper.getNode(nodeId);
  return new Promise((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`${nodeId}: no message in ${timeoutMs} ms`)),
      timeoutMs,
    );
    node.once('input', (msg: Record<string, unknown>) => {
      clearTimeout(timer);
      resolve(msg);
    });
  });
}

/** Collects messages at a helper node. */
export function collect(h: Harness, nodeId: string): Array<Record<string, unknown>> {
  const list: Array<Record<string, unknown>> = [];
  h.helper.getNode(nodeId).on('input', (msg: Record<string, unknown>) => list.push(msg));
  return list;
}

/**
 * Loads the backend config and one node wired to a helper node `out`, waits until the backend
 * is connected, and returns what `out` receives from then on.
 */
export async function loadWired(
  h: Harness,
  node: { id: string; type: string } & Record<string, unknown>,
): Promise<Array<Record<string, unknown>>> {
  await h.helper.load(h.nodes, [
    backendConfig(h),
    { backend: 'backend', ...node, wires: [['out']] },
    { id: 'out', type: 'helper' },
  ]);
  const got = collect(h, 'out');
  await connected(h, node.id);
  return got;
}
