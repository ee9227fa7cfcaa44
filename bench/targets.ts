/**
 * What the load runs against, each in its own process so that its memory and CPU can be read
 * from /proc: the gateway, started with the real CLI (`fullstack gateway`), and a plain Aedes
 * broker (plain-broker.ts). Both listen on loopback on free ports and are stopped with
 * SIGTERM (SIGKILL after a grace period); a process left behind is killed when the bench exits.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { GATEWAY_NODE_FLAGS } from '../gateway/node-flags.js';
import { distPath } from '../lib/paths.js';
import { freePort } from '../lib/ports.js';

export interface Target {
  kind: 'gateway' | 'broker';
  pid: number;
  host: string;
  mqttPort: number;
  /** The gateway's HTTP port (/metrics); undefined for the plain broker. */
  httpPort: number | undefined;
  /** Credentials of the backend subscriber (the gateway's service credential). */
  backend: { username?: string; password?: string };
  stop(): Promise<void>;
}

const READY_TIMEOUT_MS = 30_000;
const STOP_GRACE_MS = 15_000;
const HOST = '127.0.0.1';

/** The last lines a child printed, for an error message that says why it failed. */
function tail(lines: string[], chunk: Buffer): void {
  lines.push(...chunk.toString('utf8').split('\n').filter(Boolean));
  if (lines.length > 20) lines.splice(0, lines.length - 20);
}

async function spawnUntilReady(
  name: string,
  args: string[],
  env: NodeJS.ProcessEnv,
  ready: RegExp,
): Promise<{ child: ChildProcess; stop(): Promise<void> }> {
  const child = spawn(process.execPath, args, { env, stdio: ['ignore', 'pipe', 'pipe'] });
  const output: string[] = [];
  const killOnExit = () => child.kill('SIGKILL');
  process.once('exit', killOnExit);
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.stderr?.on('data', (chunk: Buffer) => tail(output, chunk));
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`${name} not ready in ${READY_TIMEOUT_MS} ms:\n${output.join('\n')}`));
    }, READY_TIMEOUT_MS);
    child.stdout?.on('data', (chunk: Buffer) => {
      tail(output, chunk);
      if (output.some((line) => ready.test(line))) {
        clearTimeout(timer);
        resolve();
      }
    });
    child.once('exit', (code, signal) => {
      clearTimeout(timer);
      reject(new Error(`${name} exited (${signal ?? code}) before ready:\n${output.join('\n')}`));
    });
  });
  // Past readiness its output is drained and kept short (warnings only, at log level warn).
  child.stdout?.removeAllListeners('data');
  child.stdout?.on('data', (chunk: Buffer) => tail(output, chunk));
  let stopping: Promise<void> | undefined;
  return {
    child,
    stop() {
      stopping ??= (async () => {
        if (child.exitCode === null && child.signalCode === null) {
          child.kill('SIGTERM');
          const timer = setTimeout(() => child.kill('SIGKILL'), STOP_GRACE_MS);
          await exited;
          clearTimeout(timer);
        }
        process.off('exit', killOnExit);
      })();
      return stopping;
    },
  };
}

export interface GatewayTargetOptions {
  dataDir: string;
  /** FULLSTACK_GATEWAY_* settings for this run (see gateway/config.ts). */
  settingsEnv: Record<string, string>;
  /** Write a V8 CPU profile of the gateway into this directory when it exits. */
  cpuProfDir?: string;
  /**
   * Node.js options for the gateway process, after the ones it is deployed with
   * (GATEWAY_NODE_FLAGS), so they can override them: `--node-flag=--max-semi-space-size=16`.
   */
  nodeFlags?: string[];
}

export async function startGatewayTarget(options: GatewayTargetOptions): Promise<Target> {
  const mqttPort = await freePort(HOST);
  const httpPort = await freePort(HOST);
  const profile = options.cpuProfDir ? ['--cpu-prof', `--cpu-prof-dir=${options.cpuProfDir}`] : [];

  const started = await spawnUntilReady(
    'gateway',
    [
      ...GATEWAY_NODE_FLAGS,
      ...(options.nodeFlags ?? []),
      ...profile,
      distPath('cli', 'main.js'),
      'gateway',
      '--host',
      HOST,
      '--mqtt-port',
      String(mqttPort),
      '--gateway-port',
      String(httpPort),
      '--data-dir',
      options.dataDir,
      '--log-level',
      'warn',
    ],
    { ...process.env, ...options.settingsEnv },
    /^Gateway ready /,
  );
  // The gateway writes its backend service credential into the data dir on first start.
  const credential = JSON.parse(
    readFileSync(join(options.dataDir, 'backend-credential.json'), 'utf8'),
  ) as { username: string; password: string };
  return {
    kind: 'gateway',
    pid: started.child.pid as number,
    host: HOST,
    mqttPort,
    httpPort,
    backend: credential,
    stop: started.stop,
  };
}

export async function startBrokerTarget(): Promise<Target> {
  const mqttPort = await freePort(HOST);
  const started = await spawnUntilReady(
    'plain broker',
    [distPath('bench', 'plain-broker.js'), String(mqttPort)],
    process.env,
    /^Broker ready /,
  );
  return {
    kind: 'broker',
    pid: started.child.pid as number,
    host: HOST,
    mqttPort,
    httpPort: undefined,
    backend: {},
    stop: started.stop,
  };
}
