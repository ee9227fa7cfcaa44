/**
 * A ChildHandle for a child process: stdout and stderr go to the logger line by line, start
 * resolves when a line says the child is ready, stop is SIGTERM then SIGKILL. Children are
 * killed when this process exits, so none outlives its parent.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { type Logger, silentLogger } from '../../lib/log.js';
import type { ChildHandle } from './types.js';

export interface ProcessChildOptions {
  id: string;
  command: string;
  args: string[];
  env?: NodeJS.ProcessEnv;
  cwd?: string;
  logger?: Logger;
  /** Start resolves when a stdout or stderr line matches; without it, as soon as it spawned. */
  ready?: (line: string) => boolean;
  /** How long to wait for the ready line (default 30000 ms); the child is killed past it. */
  readyTimeoutMs?: number;
  /** How long stop() waits after SIGTERM before SIGKILL (default 5000 ms). */
  killTimeoutMs?: number;
}

type ProcessState = 'starting' | 'running' | 'stopping' | 'exited';

/**
 * Every live child, so the exit hook can kill them. Module-level on purpose: process 'exit'
 * is process-wide, and one hook for all children beats one listener per child.
 */
const live = new Set<ChildProcess>();
let exitHookInstalled = false;

function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.on('exit', () => {
    for (const child of live) child.kill('SIGKILL');
  });
}

/** Exit description for errors and logs: "exit code 3" or "signal SIGSEGV". */
function describeExit(code: number | null, signal: NodeJS.Signals | null): string {
  return signal ? `signal ${signal}` : `exit code ${code}`;
}

export function processChild(options: ProcessChildOptions): Promise<ChildHandle & { pid: number }> {
  const log = (options.logger ?? silentLogger()).child({ child: options.id });
  const readyTimeoutMs = options.readyTimeoutMs ?? 30_000;
  const killTimeoutMs = options.killTimeoutMs ?? 5000;
  installExitHook();

  return new Promise((resolveStart, rejectStart) => {
    let state: ProcessState = 'starting';
    // Its own process group: a Ctrl-C in the terminal reaches only the parent, which stops
    // children in order. FULLSTACK_PARENT_PID lets a child notice the parent is gone even
    // after a SIGKILL (lib/parent-watch.ts).
    const child = spawn(options.command, options.args, {
      cwd: options.cwd,
      env: { ...(options.env ?? process.env), FULLSTACK_PARENT_PID: String(process.pid) },
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: true,
    });
    live.add(child);
    let resolveDone!: () => void;
    let rejectDone!: (error: Error) => void;
    const done = new Promise<void>((resolve, reject) => {
      resolveDone = resolve;
      rejectDone = reject;
    });
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    let readyTimer: NodeJS.Timeout | undefined;

    const handle: ChildHandle & { pid: number } = {
      pid: child.pid ?? -1,
      done,
      async stop() {
        if (state === 'exited') return;
        state = 'stopping';
        child.kill('SIGTERM');
        const killTimer = setTimeout(() => {
          log.warn({ killTimeoutMs }, 'child ignored SIGTERM; sending SIGKILL');
          child.kill('SIGKILL');
        }, killTimeoutMs);
        await exited;
        clearTimeout(killTimer);
      },
    };

    const becomeReady = () => {
      if (state !== 'starting') return;
      state = 'running';
      clearTimeout(readyTimer);
      resolveStart(handle);
    };

    const onLine = (stream: 'stdout' | 'stderr') => (line: string) => {
      log.info({ stream }, line);
      if (options.ready?.(line)) becomeReady();
    };
    if (child.stdout) createInterface({ input: child.stdout }).on('line', onLine('stdout'));
    if (child.stderr) createInterface({ input: child.stderr }).on('line', onLine('stderr'));

    child.once('error', (error) => {
      // spawn failures (ENOENT, EACCES) arrive here and no 'exit' follows.
      live.delete(child);
      const previous = state;
      state = 'exited';
      clearTimeout(readyTimer);
      const failure = new Error(`${options.id}: cannot run ${options.command}: ${error.message}`);
      if (previous === 'starting') rejectStart(failure);
      else rejectDone(failure);
    });

    child.once('exit', (code, signal) => {
      live.delete(child);
      const previous = state;
      state = 'exited';
      clearTimeout(readyTimer);
      const how = describeExit(code, signal);
      if (previous === 'starting') {
        rejectStart(new Error(`${options.id} exited before it was ready (${how})`));
        resolveDone();
        return;
      }
      // An exit we asked for is a normal exit, whatever signal carried it.
      if (previous === 'stopping' || code === 0) {
        log.info({ how }, 'child exited');
        resolveDone();
      } else {
        log.error({ how }, 'child crashed');
        rejectDone(new Error(`${options.id} crashed (${how})`));
      }
    });

    child.once('spawn', () => {
      if (!options.ready) {
        becomeReady();
        return;
      }
      readyTimer = setTimeout(() => {
        if (state !== 'starting') return;
        state = 'stopping';
        child.kill('SIGKILL');
        rejectStart(
          new Error(`${options.id} printed no ready line within ${readyTimeoutMs} ms; killed it`),
        );
      }, readyTimeoutMs);
    });
  });
}
