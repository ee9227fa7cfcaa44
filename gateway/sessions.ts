/**
 * Device sessions under a dynamic supervisor: one child per device that has spoken. A
 * handler that throws crashes its child; the supervisor restarts it (fresh state) after
 * backoff, and messages that arrive meanwhile wait for the new session. Past its restart
 * intensity the device is disconnected (onGiveUp), never the gateway.
 */
import type { Logger } from '../lib/log.js';
import { DeviceSession, type SessionContext, type Verdict } from './device-session.js';
import type { DynamicSupervisor } from './supervisor/dynamic.js';
import { errorText } from './supervisor/types.js';

interface Slot {
  session: DeviceSession | undefined;
  crash: ((error: Error) => void) | undefined;
  waiters: Array<{ resolve: (s: DeviceSession) => void; reject: (e: Error) => void }>;
}

export class DeviceSessions {
  private readonly slots = new Map<string, Slot>();

  constructor(
    private readonly ctx: SessionContext,
    private readonly supervisor: DynamicSupervisor,
    private readonly log: Logger,
    private readonly onCrash: (device: string, error: Error) => void,
  ) {}

  /** Runs `fn` in the device's session; a throw crashes (and restarts) only that session. */
  async run(device: string, fn: (s: DeviceSession) => Verdict): Promise<Verdict> {
    const slot = this.slots.get(device) ?? (await this.create(device));
    let session: DeviceSession;
    try {
      session =
        slot.session ??
        (await new Promise<DeviceSession>((resolve, reject) =>
          slot.waiters.push({ resolve, reject }),
        ));
    } catch (error) {
      return { ok: false, reason: 'handler-crash', detail: errorText(error) };
    }
    try {
      return fn(session);
    } catch (error) {
      const err = error instanceof Error ? error : new Error(String(error));
      this.log.error({ device, err: err.message }, 'device handler threw; restarting its session');
      this.onCrash(device, err);
      const current = this.slots.get(device);
      if (current?.session === session) {
        current.session = undefined;
        current.crash?.(err);
      }
      return { ok: false, reason: 'handler-crash', detail: `handler threw: ${errorText(err)}` };
    }
  }

  /** The device's slot was given up on: forget it, so its next message starts afresh. */
  forget(device: string): void {
    const slot = this.slots.get(device);
    this.slots.delete(device);
    const error = new Error(`the session of device ${device} was given up after repeated crashes`);
    for (const w of slot?.waiters.splice(0) ?? []) w.reject(error);
  }

  size(): number {
    return this.slots.size;
  }

  private async create(device: string): Promise<Slot> {
    const slot: Slot = { session: undefined, crash: undefined, waiters: [] };
    this.slots.set(device, slot);
    await this.supervisor.startChild({
      id: device,
      restart: 'permanent',
      shutdownMs: 1000,
      start: async () => {
        const session = new DeviceSession(device, this.ctx);
        let reject!: (error: Error) => void;
        let resolve!: () => void;
        const done = new Promise<void>((res, rej) => {
          resolve = res;
          reject = rej;
        });
        slot.session = session;
        slot.crash = reject;
        for (const w of slot.waiters.splice(0)) w.resolve(session);
        return {
          done,
          stop: async () => {
            if (slot.session === session) slot.session = undefined;
            resolve();
          },
        };
      },
    });
    return slot;
  }
}
