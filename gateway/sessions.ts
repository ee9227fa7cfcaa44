/**
 * Device sessions under a dynamic supervisor: one child per device that has spoken. A
 * handler that throws crashes its child; the supervisor restarts it (fresh state) after
 * backoff, and messages that arrive meanwhile wait for the new session. Past its restart
 * intensity the device is disconnected (onGiveUp), never the gateway.
 *
 * Order: a running session handles each message at once, as it arrives; while it is being
 * (re)started, messages wait in a queue and are served in arrival order once it runs.
 */
import type { Logger } from '../lib/log.js';
import { DeviceSession, type SessionContext, type Verdict } from './device-session.js';
import type { DynamicSupervisor } from './supervisor/dynamic.js';
import { errorText } from './supervisor/types.js';

/** A message waiting for its device's session: the handler, and who wants its verdict. */
interface Waiting {
  fn: (s: DeviceSession) => Verdict;
  done: (verdict: Verdict) => void;
}

interface Slot {
  session: DeviceSession | undefined;
  crash: ((error: Error) => void) | undefined;
  /**
   * Messages that arrived while there was no session (starting, restarting) or while earlier
   * ones still wait: served in arrival order once it runs. Undefined when nobody waits, so
   * a running session's messages are handled at once, with nothing allocated.
   */
  waiting: Waiting[] | undefined;
}

export class DeviceSessions {
  private readonly slots = new Map<string, Slot>();

  constructor(
    private readonly ctx: SessionContext,
    private readonly supervisor: DynamicSupervisor,
    private readonly log: Logger,
    private readonly onCrash: (device: string, error: Error) => void,
  ) {}

  /**
   * Runs `fn` in the device's session, in arrival order, and hands its verdict to `done`: at
   * once while the session runs, later if it is (re)starting. A throw restarts only that session.
   */
  run(device: string, fn: (s: DeviceSession) => Verdict, done: (verdict: Verdict) => void): void {
    const slot = this.slots.get(device) ?? this.create(device);
    if (slot.session && slot.waiting === undefined) {
      done(this.call(device, slot, slot.session, fn));
      return;
    }
    slot.waiting ??= [];
    slot.waiting.push({ fn, done });
  }

  /** `run` as a promise (tests, and callers that are not on the hot path). */
  runAsync(device: string, fn: (s: DeviceSession) => Verdict): Promise<Verdict> {
    return new Promise((resolve) => this.run(device, fn, resolve));
  }

  /** The device's slot was given up on: forget it, so its next message starts afresh. */
  forget(device: string): void {
    const slot = this.slots.get(device);
    this.slots.delete(device);
    if (slot) {
      this.refuseWaiting(
        slot,
        `the session of device ${device} was given up after repeated crashes`,
      );
    }
  }

  size(): number {
    return this.slots.size;
  }

  private call(
    device: string,
    slot: Slot,
    session: DeviceSession,
    fn: (s: DeviceSession) => Verdict,
  ): Verdict {
    try {
      return fn(session);
    } catch (error) {
      return this.crashed(device, slot, session, error);
    }
  }

  /** The session runs (again): serve whoever waited, in order, while it keeps running. */
  private serveWaiting(device: string, slot: Slot): void {
    const waiting = slot.waiting;
    if (!waiting) return;
    // A verdict's callback may deliver this device's next message (Aedes reads on once a
    // publish is answered): it joins the end of this queue, so order holds.
    while (waiting.length > 0 && slot.session && this.slots.get(device) === slot) {
      const next = waiting.shift() as Waiting;
      next.done(this.call(device, slot, slot.session, next.fn));
    }
    if (waiting.length === 0 && slot.waiting === waiting) slot.waiting = undefined;
  }

  private refuseWaiting(slot: Slot, detail: string): void {
    const waiting = slot.waiting ?? [];
    slot.waiting = undefined;
    for (const w of waiting) w.done({ ok: false, reason: 'handler-crash', detail });
  }

  private crashed(device: string, slot: Slot, session: DeviceSession, error: unknown): Verdict {
    const err = error instanceof Error ? error : new Error(String(error));
    this.log.error({ device, err: err.message }, 'device handler threw; restarting its session');
    this.onCrash(device, err);
    if (slot.session === session) {
      slot.session = undefined;
      slot.crash?.(err);
    }
    return { ok: false, reason: 'handler-crash', detail: `handler threw: ${errorText(err)}` };
  }

  private create(device: string): Slot {
    const slot: Slot = { session: undefined, crash: undefined, waiting: undefined };
    this.slots.set(device, slot);
    this.supervisor
      .startChild({
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
          // After start() has returned its handle, so the supervisor sees it running first.
          queueMicrotask(() => this.serveWaiting(device, slot));
          return {
            done,
            stop: async () => {
              if (slot.session === session) slot.session = undefined;
              resolve();
            },
          };
        },
      })
      .catch((error: Error) => {
        this.log.error({ device, err: error.message }, 'cannot start a device session');
        if (this.slots.get(device) === slot) this.slots.delete(device);
        this.refuseWaiting(slot, errorText(error));
      });
    return slot;
  }
}
