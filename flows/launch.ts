/**
 * Starts Node-RED in its own child process with FullStack's settings, shipped flows and nodes.
 * Connection details reach the flows as environment variables (Node-RED substitutes `${VAR}`
 * in node properties), so no flow file holds a port or a host.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Logger } from '../lib/log.js';
import { repoPath } from '../lib/paths.js';
import { ensureNodePackage } from './build-nodes.js';
import { checkExposure } from './lib/admin-auth.js';
import { nodeRedEnv } from './lib/env.js';
import { syncFlowFiles } from './lib/flow-files.js';
import { LineTail } from './lib/line-tail.js';
import { waitForHttp } from './lib/wait-http.js';

export interface NodeRedOptions {
  host: string;
  port: number;
  dataDir: string;
  mqtt: { url: string; username?: string; password?: string };
  /** The gateway whose topics the flows follow; default every gateway (`+`). */
  gatewayId?: string;
  logger: Logger;
  /** Extra environment for the child (merged over process.env). */
  env?: NodeJS.ProcessEnv;
  /** How long to wait for the dashboard to answer (default 60 s). */
  startTimeoutMs?: number;
}

export interface RunningNodeRed {
  /** Base URL (`http://host:port`). */
  url: string;
  dashboardUrl: string;
  editorUrl: string;
  pid: number;
  /** Resolves on a clean exit (after stop()), rejects when Node-RED dies on its own. */
  done: Promise<void>;
  stop(): Promise<void>;
}

// The repository's copy, also when running from dist/: it is plain CommonJS that needs no build,
// and using it keeps `fullstack up` working when a build step stopped early.
const SETTINGS_FILE = repoPath('flows', 'settings.cjs');
const NODE_RED_CHILD = fileURLToPath(new URL('./nodered-child.cjs', import.meta.url));
const STOP_GRACE_MS = 5000;

/** Where the editor and the dashboard are reached: a wildcard bind is reached on loopback. */
export function reachableHost(host: string): string {
  if (host === '0.0.0.0' || host === '::' || host === '') return '127.0.0.1';
  return host.includes(':') ? `[${host}]` : host;
}

export { checkExposure, type Exposure } from './lib/admin-auth.js';

export function nodeRedUserDir(dataDir: string): string {
  return join(dataDir, 'node-red');
}

export async function startNodeRed(options: NodeRedOptions): Promise<RunningNodeRed> {
  const { logger } = options;
  const exposure = checkExposure(options.host, options.dataDir);
  if (!exposure.ok) throw new Error(exposure.message);
  const userDir = nodeRedUserDir(options.dataDir);
  mkdirSync(userDir, { recursive: true });
  const report = syncFlowFiles({
    shippedDir: repoPath('flows'),
    flowFile: join(userDir, 'flows.json'),
    manifestFile: join(userDir, 'fullstack-shipped.json'),
  });
  for (const [unit, outcome] of Object.entries(report.outcomes)) {
    if (outcome === 'kept-user-edit') {
      logger.warn({ unit }, 'shipped flow unit edited in the editor: keeping your version');
    } else if (outcome !== 'unchanged') logger.debug({ unit, outcome }, 'shipped flow unit');
  }

  const nodesDir = await ensureNodePackage();
  const env = {
    ...process.env,
    ...nodeRedEnv({
      host: options.host,
      port: options.port,
      dataDir: options.dataDir,
      mqtt: options.mqtt,
      gatewayId: options.gatewayId ?? '+',
      nodesDir,
    }),
    ...options.env,
  };
  // red.js wrapped by nodered-child.cjs, which stops Node-RED when this process is gone.
  // Its own process group (detached): a Ctrl-C in the terminal reaches only `fullstack up`,
  // which then stops its children in order, instead of every process at once.
  const child: ChildProcess = spawn(
    process.execPath,
    [NODE_RED_CHILD, '--settings', SETTINGS_FILE, '--userDir', userDir],
    {
      env: { ...env, FULLSTACK_PARENT_PID: String(process.pid) },
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: true,
    },
  );
  const tail = new LineTail(60);
  const log = logger.child({ part: 'node-red', pid: child.pid });
  const onLine = (line: string) => {
    tail.push(line);
    if (/\[(error|warn)\]/.test(line)) log.warn(line);
    else log.debug(line);
  };
  tail.attach(child.stdout, onLine);
  tail.attach(child.stderr, onLine);

  let stopping = false;
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once('exit', (code, signal) => resolve({ code, signal })),
  );
  const done = exited.then(({ code, signal }) => {
    if (stopping || code === 0) return;
    throw new Error(
      `Node-RED exited (${signal ?? `code ${code}`})\n${tail.lines().join('\n')}`.trimEnd(),
    );
  });
  // `done` is for the supervisor; until it subscribes, don't let a crash be unhandled.
  done.catch(() => undefined);

  const base = `http://${reachableHost(options.host)}:${options.port}`;
  const stop = async () => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    stopping = true;
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), STOP_GRACE_MS);
    await exited;
    clearTimeout(timer);
  };

  try {
    await waitForHttp(`${base}/dashboard/`, {
      timeoutMs: options.startTimeoutMs ?? 60_000,
      abort: exited.then(({ code, signal }) => `exited (${signal ?? `code ${code}`})`),
    });
  } catch (error) {
    await stop();
    throw new Error(
      `Node-RED did not start: ${(error as Error).message}\n${tail.lines().join('\n')}`.trimEnd(),
    );
  }
  log.info({ url: base }, 'Node-RED ready');
  return {
    url: base,
    dashboardUrl: `${base}/dashboard`,
    editorUrl: `${base}/`,
    pid: child.pid as number,
    done,
    stop,
  };
}
