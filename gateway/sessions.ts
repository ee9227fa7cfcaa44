/**
 * Device sessions under a dynamic supervisor: one child per device that has spoken. A
 * handler that throws crashes its child; the supervisor restarts it (fresh state) after
 * backoff, and messages that arrive meanwhile wait for the new session. Past its restart
 * intensity the device is disconnected (onGiveUp), never the gateway.
 *
 * Order: each device's messages take turns on a promise chain, so they are handled in the
 * order they arrived even while its session is being (re)started.
 */
import type { Logger } from '../lib/log.js';
import { DeviceSession, type SessionContext, type Verdict } from './device-session.js';
import type { DynamicSupervisor } from './supervisor/dynamic.js';
import { errorText } from './supervisor/types.js';

interface Ready {
  promise: Promise<DeviceSession>;
  resolve(session: DeviceSession): void;
  reject(error: Error): void;
}

interface Slot {
  session: DeviceSession | undefined;
  /**
   * While there is no session: resolves with it once its child has started (again). Dropped
   * once the session runs, since 10,000 idle devices should not each keep one.
   */
  ready: Ready | undefined;
  crash: ((error: Error) => void) | undefined;
  /** The last message's turn: the next one waits for it. */
  tail: Promise<void>;
}

function ready(): Ready {
  let resolve!: (session: DeviceSession) => void;
  let reject!: (error: Error) => void;
  const promise = new Promise<DeviceSession>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  // Awaited by run() when a message waits; a session given up with nobody waiting is no error.
  promise.catch(() => undefined);
  return { promise, resolve, reject };
}

export class DeviceSessions {
  private readonly slots = new Map<string, Slot>();

  constructor(
    private readonly ctx: SessionContext,
    private readonly supervisor: DynamicSupervisor,
    private readonly log: Logger,
    private readonly onCrash: (device: string, error: Error) => void,
  ) {}

  /** Runs `fn` in the device's session, in arrival order; a throw restarts only that session. */
  async run(device: string, fn: (s: DeviceSession) => Verdict): Promise<Verdict> {
    const slot = this.slots.get(device) ?? this.create(device);
    const turn = slot.tail;
    let release!: () => void;
    slot.tail = new Promise<void>((resolve) => {
      release = resolve;
    });
    try {
      await turn;
      let session: DeviceSession;
      try {
        slot.ready ??= slot.session ? undefined : ready();
        session = slot.session ?? (await (slot.ready as Ready).promise);
      } catch (error) {
        return { ok: false, reason: 'handler-crash', detail: errorText(error) };
      }
      try {
        return fn(session);
      } catch (error) {
        return this.crashed(device, slot, session, error);
      }
    } finally {
      release();
    }
  }

  /** The device's slot was given up on: forget it, so its next message starts afresh. */
  forget(device: string): void {
    const slot = this.slots.get(device);
    this.slots.delete(device);
    slot?.ready?.reject(
      new Error(`the session of device ${device} was given up after repeated crashes`),
    );
  }

  size(): number {
    return this.slots.size;
  }

  private crashed(device: string, slot: Slot, session: DeviceSession, error: unknown): Verdict {
    const err = error instanceof Error ? error : new Error(String(error));
    this.log.error({ device, err: err.message }, 'device handler threw; restarting its session');
    this.onCrash(device, err);
    if (slot.session === session) {
      slot.session = undefined;
      slot.ready = ready();
      slot.crash?.(err);
    }
    return { ok: false, reason: 'handler-crash', detail: `handler threw: ${errorText(err)}` };
  }

  private create(device: string): Slot {
    const slot: Slot = {
      session: undefined,
      ready: ready(),
      crash: undefined,
      tail: Promise.resolve(),
    };
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
          slot.ready?.resolve(session);
          slot.ready = undefined;
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
        slot.ready?.reject(error);
      });
    return slot;
  }
}
