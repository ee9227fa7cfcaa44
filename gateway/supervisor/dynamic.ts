/**
 * A dynamic supervisor, for children that come and go (one per connected device, one per
 * serial board). Unlike OTP's DynamicSupervisor, each child has its own restart intensity:
 * a device whose handler keeps crashing is given up on alone (onGiveUp closes its connection)
 * and never takes the gateway, or any other device, down with it.
 */
import { type Clock, systemClock } from '../../lib/clock.js';
import { type Logger, silentLogger } from '../../lib/log.js';
import { type BackoffOptions, backoffDelay, DEFAULT_BACKOFF } from './backoff.js';
import { DEFAULT_INTENSITY, type Intensity, RestartWindow } from './intensity.js';
import {
  type ChildHandle,
  type ChildSpec,
  type ChildState,
  type ChildStatus,
  errorText,
  type SupervisorEvent,
} from './types.js';

export interface DynamicSupervisorOptions {
  id: string;
  intensity?: Intensity;
  backoff?: BackoffOptions;
  clock?: Clock;
  logger?: Logger;
  onEvent?: (e: SupervisorEvent) => void;
  /** A child exceeded its intensity and was removed. */
  onGiveUp?: (childId: string, error: Error) => void;
  random?: () => number;
}

export interface DynamicSupervisor extends ChildHandle {
  /** Starts a child under this id; rejects if the id is taken or the child cannot start. */
  startChild(spec: ChildSpec): Promise<void>;
  /** Stops a child and forgets it; harmless if it is not there. */
  terminateChild(id: string): Promise<void>;
  has(id: string): boolean;
  status(): ChildStatus[];
}

interface Entry {
  spec: ChildSpec;
  state: ChildState;
  handle: ChildHandle | undefined;
  restarts: number;
  generation: number;
  /** Created at the first restart: most children never need one. */
  window: RestartWindow | undefined;
  timer: ReturnType<Clock['setTimeout']> | undefined;
}

export function startDynamicSupervisor(options: DynamicSupervisorOptions): DynamicSupervisor {
  const clock = options.clock ?? systemClock;
  const log = (options.logger ?? silentLogger()).child({ supervisor: options.id });
  const intensity = options.intensity ?? DEFAULT_INTENSITY;
  const backoff = options.backoff ?? DEFAULT_BACKOFF;
  const random = options.random ?? Math.random;
  const entries = new Map<string, Entry>();
  let running = true;
  let resolveDone!: () => void;
  const done = new Promise<void>((resolve) => {
    resolveDone = resolve;
  });

  const emit = (event: SupervisorEvent) => {
    try {
      options.onEvent?.(event);
    } catch (error) {
      log.error({ err: errorText(error) }, 'supervisor onEvent listener threw');
    }
  };

  const watch = (entry: Entry, handle: ChildHandle) => {
    const generation = entry.generation;
    handle.done.then(
      () => onExit(entry, generation, 'normal'),
      (error: unknown) => onExit(entry, generation, 'crash', error),
    );
  };

  const launch = async (entry: Entry) => {
    entry.state = 'starting';
    entry.generation += 1;
    const handle = await entry.spec.start();
    entry.handle = handle;
    entry.state = 'running';
    emit({ type: 'child-started', supervisor: options.id, child: entry.spec.id });
    watch(entry, handle);
  };

  const onExit = (
    entry: Entry,
    generation: number,
    outcome: 'normal' | 'crash',
    error?: unknown,
  ) => {
    if (!running || entries.get(entry.spec.id) !== entry || entry.generation !== generation) return;
    entry.handle = undefined;
    emit({
      type: 'child-exited',
      supervisor: options.id,
      child: entry.spec.id,
      outcome,
      ...(error === undefined ? {} : { error: errorText(error) }),
    });
    const policy = entry.spec.restart;
    if (policy === 'temporary' || (policy === 'transient' && outcome === 'normal')) {
      entries.delete(entry.spec.id);
      return;
    }
    restartLater(entry, error ?? new Error('exited normally'));
  };

  const restartLater = (entry: Entry, cause: unknown) => {
    const now = clock.now();
    entry.window ??= new RestartWindow(intensity);
    const attempt = entry.window.recent(now);
    if (!entry.window.admit(now)) {
      entries.delete(entry.spec.id);
      entry.state = 'failed';
      const error = new Error(
        `${options.id}: child "${entry.spec.id}" exceeded ${intensity.maxRestarts} restarts in ${intensity.withinMs} ms (last: ${errorText(cause)})`,
      );
      log.warn({ child: entry.spec.id, err: error.message }, 'giving up on child');
      emit({ type: 'gave-up', supervisor: options.id, child: entry.spec.id, error: error.message });
      options.onGiveUp?.(entry.spec.id, error);
      return;
    }
    entry.restarts += 1;
    entry.state = 'restarting';
    const delayMs = backoffDelay(attempt, backoff, random);
    emit({
      type: 'child-restarting',
      supervisor: options.id,
      child: entry.spec.id,
      attempt,
      delayMs,
    });
    entry.timer = clock.setTimeout(() => {
      entry.timer = undefined;
      if (!running || entries.get(entry.spec.id) !== entry) return;
      launch(entry).catch((error: unknown) => {
        emit({
          type: 'child-start-failed',
          supervisor: options.id,
          child: entry.spec.id,
          error: errorText(error),
        });
        restartLater(entry, error);
      });
    }, delayMs);
  };

  const stopEntry = async (entry: Entry) => {
    clock.clearTimeout(entry.timer);
    entry.timer = undefined;
    entry.generation += 1;
    const handle = entry.handle;
    entry.handle = undefined;
    entry.state = 'stopped';
    if (!handle) return;
    try {
      await handle.stop();
    } catch (error) {
      log.warn({ child: entry.spec.id, err: errorText(error) }, 'child failed while stopping');
    }
  };

  return {
    done,
    async startChild(spec) {
      if (!running) throw new Error(`${options.id} is stopped; cannot start "${spec.id}"`);
      if (entries.has(spec.id)) throw new Error(`${options.id}: child "${spec.id}" already exists`);
      const entry: Entry = {
        spec,
        state: 'starting',
        handle: undefined,
        restarts: 0,
        generation: 0,
        window: undefined,
        timer: undefined,
      };
      entries.set(spec.id, entry);
      try {
        await launch(entry);
      } catch (error) {
        entries.delete(spec.id);
        throw error;
      }
    },
    async terminateChild(id) {
      const entry = entries.get(id);
      if (!entry) return;
      entries.delete(id);
      await stopEntry(entry);
    },
    has: (id) => entries.has(id),
    status: () =>
      [...entries.values()].map((e) => ({ id: e.spec.id, state: e.state, restarts: e.restarts })),
    async stop() {
      if (!running) return done;
      running = false;
      const all = [...entries.values()].reverse();
      entries.clear();
      await Promise.all(all.map(stopEntry));
      emit({ type: 'stopped', supervisor: options.id });
      resolveDone();
      return done;
    },
  };
}
