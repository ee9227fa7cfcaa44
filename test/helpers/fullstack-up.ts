/**
 * Runs the real `fullstack up` (the compiled CLI, as a user would) on free ports in a temp data
 * dir, and waits for its `FullStack ready` line.
 */
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { distPath, repoPath } from '../../lib/paths.js';
import { freePort } from '../../lib/ports.js';

export interface RunningUp {
  child: ChildProcess;
  dataDir: string;
  ports: { mqtt: number; ui: number; gateway: number };
  readyLine: string;
  urls: { broker: string; dashboard: string; editor: string; gateway: string };
  output: () => string;
  /** Sends a signal and resolves with the exit code. */
  stop(signal?: NodeJS.Signals): Promise<number | null>;
  /** The live processes below `fullstack up`, as `pid args` lines (Node-RED titles itself `node-red`). */
  descendants(): string[];
  /** Every process ever seen below `fullstack up` that is still alive. */
  leftovers(): string[];
  cleanup(): void;
}

interface ProcessRow {
  pid: number;
  ppid: number;
  args: string;
}

function processTable(): ProcessRow[] {
  const out = execFileSync('ps', ['-eo', 'pid=,ppid=,args='], { encoding: 'utf8' });
  return out
    .split('\n')
    .map((line) => /^\s*(\d+)\s+(\d+)\s+(.*)$/.exec(line))
    .filter((m): m is RegExpExecArray => m !== null)
    .map((m) => ({ pid: Number(m[1]), ppid: Number(m[2]), args: m[3] as string }));
}

export function descendantsOf(root: number): ProcessRow[] {
  const table = processTable();
  const found: ProcessRow[] = [];
  const parents = new Set([root]);
  for (let grew = true; grew; ) {
    grew = false;
    for (const row of table) {
      if (parents.has(row.ppid) && !parents.has(row.pid)) {
        parents.add(row.pid);
        found.push(row);
        grew = true;
      }
    }
  }
  return found;
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    // ESRCH: no such process, which is what we hope for
    return false;
  }
}

export async function startUp(
  options: { devices?: number; extraArgs?: string[]; timeoutMs?: number; dataDir?: string } = {},
): Promise<RunningUp> {
  const dataDir = options.dataDir ?? mkdtempSync(join(tmpdir(), 'fullstack-up-'));
  const ports = { mqtt: await freePort(), ui: await freePort(), gateway: await freePort() };
  const args = [
    distPath('cli', 'main.js'),
    'up',
    '--mqtt-port',
    String(ports.mqtt),
    '--ui-port',
    String(ports.ui),
    '--gateway-port',
    String(ports.gateway),
    '--data-dir',
    dataDir,
    '--devices',
    String(options.devices ?? 3),
    ...(options.extraArgs ?? []),
  ];
  const child = spawn(process.execPath, args, {
    cwd: repoPath(),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout.on('data', (d) => (output += d));
  child.stderr.on('data', (d) => (output += d));
  const exited = new Promise<number | null>((resolve) =>
    child.once('exit', (code) => resolve(code)),
  );

  const readyLine = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(
      () =>
        reject(
          new Error(
            `no "FullStack ready" line within ${options.timeoutMs ?? 90_000} ms:\n${output}`,
          ),
        ),
      options.timeoutMs ?? 90_000,
    );
    const onData = () => {
      const line = output.split('\n').find((l) => l.startsWith('FullStack ready'));
      if (line) {
        clearTimeout(timer);
        resolve(line);
      }
    };
    child.stdout.on('data', onData);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`fullstack up exited with ${code} before it was ready:\n${output}`));
    });
  });
  const seen = new Map<number, string>();
  const descendants = () => {
    const rows = descendantsOf(child.pid as number);
    for (const row of rows) seen.set(row.pid, row.args);
    return rows.map((row) => `${row.pid} ${row.args}`);
  };
  descendants();
  const url = (label: string) => new RegExp(`${label} (\\S+)`).exec(readyLine)?.[1] ?? '';
  return {
    child,
    dataDir,
    ports,
    readyLine,
    urls: {
      broker: url('broker'),
      dashboard: url('dashboard'),
      editor: url('editor'),
      gateway: url('gateway'),
    },
    output: () => output,
    async stop(signal: NodeJS.Signals = 'SIGINT') {
      if (child.exitCode === null) child.kill(signal);
      return exited;
    },
    descendants,
    leftovers: () => [...seen].filter(([pid]) => alive(pid)).map(([pid, args]) => `${pid} ${args}`),
    cleanup() {
      if (child.exitCode === null) descendants();
      if (child.exitCode === null) child.kill('SIGKILL');
      for (const pid of seen.keys()) if (alive(pid)) process.kill(pid, 'SIGKILL');
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
