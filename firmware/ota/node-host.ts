/**
 * Runs a Node device's firmware from its A/B slots, as the Pi's systemd service does: the
 * active slot's bundle is a child process; the child tells the host over IPC when its birth
 * was acknowledged (`{type:'birth'}`, confirming a trial) and when an OTA commit wants a
 * restart (`{type:'restart'}`). The boot guard rolls a trial back when no birth comes in time
 * or the child dies first. A proven firmware that exits is started again after `respawnMs`.
 */
import { type ChildProcess, fork } from 'node:child_process';
import type { Clock, TimerId } from '../../lib/clock.js';
import { type BootGuard, bootFromRecord } from './boot-guard.js';
import type { FileSlotStore } from './file-slots.js';
import type { OtaBootRecord } from './slots.js';

/** Messages a firmware child sends its host. */
export type HostMessage = { type: 'birth' } | { type: 'restart' };

/** What the host tells whoever watches it (a log, a test). */
export type HostEvent =
  | { type: 'started'; record: OtaBootRecord; pid: number | undefined }
  | { type: 'confirmed'; fw: string }
  | { type: 'exited'; fw: string; code: number | null; signal: string | null }
  | { type: 'log'; message: string };

export interface NodeHostContext {
  store: FileSlotStore;
  clock: Clock;
  /** Environment for the firmware (broker URL, device id…); FULLSTACK_OTA_DIR is added. */
  env: NodeJS.ProcessEnv;
  /** Where the child's stdout and stderr go (default: inherited). */
  stdio?: 'inherit' | 'pipe';
  respawnMs?: number;
  onEvent?(event: HostEvent): void;
}

/** Closed set of host states. */
type HostState = 'running' | 'restarting' | 'stopped';

export class NodeFirmwareHost {
  private child: ChildProcess | undefined;
  private guard: BootGuard | undefined;
  private state: HostState = 'stopped';
  private respawn: TimerId | undefined;

  constructor(private readonly ctx: NodeHostContext) {}

  start(): void {
    this.state = 'running';
    this.boot();
  }

  /** Stops the firmware (SIGTERM, so it can say goodbye) and waits for it to exit. */
  async stop(): Promise<void> {
    this.state = 'stopped';
    this.ctx.clock.clearTimeout(this.respawn);
    this.guard?.stop();
    await this.killChild();
  }

  /** The record the running firmware was started from. */
  get record(): OtaBootRecord | undefined {
    return this.guard?.record;
  }

  private emit(event: HostEvent): void {
    this.ctx.onEvent?.(event);
  }

  private boot(): void {
    if (this.state === 'stopped') return;
    this.state = 'running';
    this.guard = bootFromRecord({
      store: this.ctx.store,
      clock: this.ctx.clock,
      start: (record) => this.spawn(record),
      restart: () => void this.restart(),
      log: (message) => this.emit({ type: 'log', message }),
    });
  }

  private spawn(record: OtaBootRecord): void {
    const child = fork(this.ctx.store.slotPath(record.slot), [], {
      env: { ...this.ctx.env, FULLSTACK_OTA_DIR: this.ctx.store.dir, FULLSTACK_FW: record.fw },
      stdio: this.ctx.stdio === 'pipe' ? ['ignore', 'pipe', 'pipe', 'ipc'] : 'inherit',
    });
    this.child = child;
    this.emit({ type: 'started', record, pid: child.pid });
    child.on('message', (message: HostMessage) => {
      if (message?.type === 'birth') {
        const wasTrial = this.guard?.state() === 'trial';
        this.guard?.confirm();
        if (wasTrial) this.emit({ type: 'confirmed', fw: record.fw });
      } else if (message?.type === 'restart') {
        void this.restart();
      }
    });
    child.on('exit', (code, signal) => {
      if (this.child !== child) return;
      this.child = undefined;
      this.emit({ type: 'exited', fw: record.fw, code, signal });
      if (this.state !== 'running') return;
      if (this.guard?.state() === 'trial') {
        this.guard.failed(`it exited with ${signal ?? `code ${code}`} before its birth`);
        return;
      }
      this.respawn = this.ctx.clock.setTimeout(() => this.boot(), this.ctx.respawnMs ?? 1000);
    });
  }

  private async restart(): Promise<void> {
    if (this.state !== 'running') return;
    this.state = 'restarting';
    this.guard?.stop();
    await this.killChild();
    this.boot();
  }

  private killChild(): Promise<void> {
    const child = this.child;
    if (!child || child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
    this.child = undefined;
    return new Promise((resolve) => {
      const force = setTimeout(() => child.kill('SIGKILL'), 3000);
      child.once('exit', () => {
        clearTimeout(force);
        resolve();
      });
      child.kill('SIGTERM');
    });
  }
}
