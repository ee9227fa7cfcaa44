/**
 * An OTP-style supervisor: ordered child specs, one_for_one or rest_for_one, restart
 * intensity with escalation to the parent, and exponential backoff with jitter between
 * restarts. Every state change runs through one serial queue, so a crash that arrives while
 * another restart is under way is handled after it, never interleaved with it.
 */
import { type Clock, systemClock } from '../../lib/clock.js';
import { type Logger, silentLogger } from '../../lib/log.js';
import { type BackoffOptions, backoffDelay, DEFAULT_BACKOFF, validateBackoff } from './backoff.js';
import {
  DEFAULT_INTENSITY,
  type Intensity,
  RestartWindow,
  validateIntensity,
} from './intensity.js';
import { stopWithin } from './shutdown.js';
import {
  type ChildHandle,
  type ChildSpec,
  type ChildState,
  type ChildStatus,
  errorText,
  type SupervisorEvent,
} from './types.js';

export { type BackoffOptions, backoffDelay, DEFAULT_BACKOFF } from './backoff.js';
export { DEFAULT_INTENSITY, type Intensity } from './intensity.js';
export type {
  ChildHandle,
  ChildSpec,
  ChildState,
  ChildStatus,
  RestartPolicy,
  SupervisorEvent,
} from './types.js';

export interface SupervisorOptions {
  id: string;
  /** one_for_one: restart only the child that exited. rest_for_one: it and every later child. */
  strategy: 'one_for_one' | 'rest_for_one';
  /** Started in this order, stopped in reverse. */
  children: ChildSpec[];
  /** Default 3 restarts in 5000 ms. */
  intensity?: Intensity;
  backoff?: BackoffOptions;
  clock?: Clock;
  logger?: Logger;
  onEvent?: (e: SupervisorEvent) => void;
  /** Jitter source, [0, 1). Tests pin it. */
  random?: () => number;
}

export interface Supervisor extends ChildHandle {
  status(): ChildStatus[];
}

const DEFAULT_SHUTDOWN_MS = 5000;

type SupervisorState = 'running' | 'stopping' | 'stopped' | 'failed';

interface Child {
  spec: ChildSpec;
  state: ChildState;
  handle: ChildHandle | undefined;
  restarts: number;
  /** Bumped on every start, so the exit of an old incarnation is recognised and ignored. */
  generation: number;
  /** This child's own recent restarts: the backoff attempt number. */
  recent: RestartWindow;
  /** The pending restart of the group this child leads, while it backs off. */
  timer: ReturnType<Clock['setTimeout']> | undefined;
}

class SupervisorImpl implements Supervisor {
  readonly done: Promise<void>;
  private resolveDone!: () => void;
  private rejectDone!: (error: Error) => void;
  private state: SupervisorState = 'running';
  private readonly children: Child[];
  private readonly window: RestartWindow;
  private readonly intensity: Intensity;
  private readonly backoff: BackoffOptions;
  private readonly clock: Clock;
  private readonly log: Logger;
  private readonly random: () => number;
  private queue: Promise<void> = Promise.resolve();

  constructor(private readonly options: SupervisorOptions) {
    this.intensity = options.intensity ?? DEFAULT_INTENSITY;
    this.backoff = options.backoff ?? DEFAULT_BACKOFF;
    validateIntensity(this.intensity, `supervisor ${options.id}: intensity`);
    validateBackoff(this.backoff, `supervisor ${options.id}: backoff`);
    const ids = new Set<string>();
    for (const spec of options.children) {
      if (ids.has(spec.id)) {
        throw new Error(`supervisor ${options.id}: child id "${spec.id}" is used twice`);
      }
      ids.add(spec.id);
    }
    this.clock = options.clock ?? systemClock;
    this.log = (options.logger ?? silentLogger()).child({ supervisor: options.id });
    this.random = options.random ?? Math.random;
    this.window = new RestartWindow(this.intensity);
    this.children = options.children.map((spec) => ({
      spec,
      state: 'stopped',
      handle: undefined,
      restarts: 0,
      generation: 0,
      recent: new RestartWindow(this.intensity),
      timer: undefined,
    }));
    this.done = new Promise<void>((resolve, reject) => {
      this.resolveDone = resolve;
      this.rejectDone = reject;
    });
  }

  status(): ChildStatus[] {
    return this.children.map((c) => ({ id: c.spec.id, state: c.state, restarts: c.restarts }));
  }

  /** Starts every child in order; on a failure stops those already started and rethrows. */
  startAll(): Promise<void> {
    return this.enqueue(async () => {
      for (const child of this.children) {
        try {
          await this.startChild(child);
        } catch (error) {
          this.state = 'failed';
          await this.stopChildren(this.children);
          this.resolveDone();
          throw new Error(
            `supervisor ${this.options.id}: child "${child.spec.id}" failed to start: ${errorText(error)}`,
          );
        }
      }
    });
  }

  stop(): Promise<void> {
    if (this.state === 'running') {
      this.state = 'stopping';
      this.cancelTimers();
      void this.enqueue(async () => {
        await this.stopChildren(this.children);
        this.state = 'stopped';
        this.emit({ type: 'stopped', supervisor: this.options.id });
        this.resolveDone();
      });
    }
    // After a failure done rejects; stop() itself only waits for the shutdown to finish.
    return this.done.then(
      () => undefined,
      () => undefined,
    );
  }

  private enqueue(op: () => Promise<void>): Promise<void> {
    const next = this.queue.then(op);
    // The queue must survive a failed op; the caller of enqueue still sees the failure.
    this.queue = next.catch((error: unknown) => {
      this.log.debug({ err: errorText(error) }, 'supervisor operation failed');
    });
    return next;
  }

  private async startChild(child: Child): Promise<void> {
    child.state = 'starting';
    child.generation += 1;
    const generation = child.generation;
    const handle = await child.spec.start();
    child.handle = handle;
    child.state = 'running';
    this.emit({ type: 'child-started', supervisor: this.options.id, child: child.spec.id });
    handle.done.then(
      () => this.enqueue(async () => this.onExit(child, generation, 'normal')),
      (error: unknown) => this.enqueue(async () => this.onExit(child, generation, 'crash', error)),
    );
  }

  private onExit(
    child: Child,
    generation: number,
    outcome: 'normal' | 'crash',
    error?: unknown,
  ): void {
    // An exit we caused (stopping, or restarting a group) or of an older incarnation: ignore.
    if (this.state !== 'running' || child.generation !== generation || child.state !== 'running') {
      return;
    }
    child.handle = undefined;
    this.emit({
      type: 'child-exited',
      supervisor: this.options.id,
      child: child.spec.id,
      outcome,
      ...(error === undefined ? {} : { error: errorText(error) }),
    });
    const policy = child.spec.restart;
    const restart = policy === 'permanent' || (policy === 'transient' && outcome === 'crash');
    if (!restart) {
      child.state = outcome === 'crash' ? 'failed' : 'stopped';
      return;
    }
    return void this.scheduleRestart(child, error ?? new Error('exited normally'));
  }

  /** Counts the restart against the intensity, stops dependants, and restarts after backoff. */
  private async scheduleRestart(child: Child, cause: unknown): Promise<void> {
    const now = this.clock.now();
    if (!this.window.admit(now)) {
      await this.escalate(child, cause);
      return;
    }
    const attempt = child.recent.recent(now);
    child.recent.admit(now);
    child.restarts += 1;
    child.state = 'restarting';
    const group = this.restartGroup(child);
    // rest_for_one: later children depend on this one, so they stop (in reverse) before it returns.
    const dependants = group.slice(1);
    for (const d of dependants) {
      // A dependant's own pending restart would bring it back before this child: cancel it.
      this.clock.clearTimeout(d.timer);
      d.timer = undefined;
      d.state = 'restarting';
    }
    await this.stopChildren(dependants, 'restarting');
    const delayMs = backoffDelay(attempt, this.backoff, this.random);
    this.emit({
      type: 'child-restarting',
      supervisor: this.options.id,
      child: child.spec.id,
      attempt,
      delayMs,
    });
    this.clock.clearTimeout(child.timer);
    child.timer = this.clock.setTimeout(() => {
      child.timer = undefined;
      void this.enqueue(() => this.restartNow(group));
    }, delayMs);
  }

  private async restartNow(group: Child[]): Promise<void> {
    if (this.state !== 'running') return;
    for (const child of group) {
      if (child.state !== 'restarting') continue;
      if (child !== group[0] && child.spec.restart === 'temporary') {
        // OTP: a temporary child stopped with its group is not brought back.
        child.state = 'stopped';
        continue;
      }
      try {
        await this.startChild(child);
      } catch (error) {
        this.emit({
          type: 'child-start-failed',
          supervisor: this.options.id,
          child: child.spec.id,
          error: errorText(error),
        });
        child.handle = undefined;
        await this.scheduleRestart(child, error);
        return;
      }
    }
  }

  private restartGroup(child: Child): Child[] {
    if (this.options.strategy === 'one_for_one') return [child];
    return this.children.slice(this.children.indexOf(child));
  }

  private async escalate(child: Child, cause: unknown): Promise<void> {
    const message = `supervisor ${this.options.id}: child "${child.spec.id}" exceeded ${this.intensity.maxRestarts} restarts in ${this.intensity.withinMs} ms (last: ${errorText(cause)})`;
    this.log.error({ child: child.spec.id, err: errorText(cause) }, 'restart intensity exceeded');
    this.state = 'failed';
    child.state = 'failed';
    this.cancelTimers();
    await this.stopChildren(this.children);
    this.emit({
      type: 'gave-up',
      supervisor: this.options.id,
      child: child.spec.id,
      error: message,
    });
    this.rejectDone(new Error(message));
  }

  /** Stops the given children in reverse order, each bounded by its shutdownMs. */
  private async stopChildren(children: Child[], then: ChildState = 'stopped'): Promise<void> {
    for (const child of [...children].reverse()) {
      const handle = child.handle;
      child.handle = undefined;
      if (child.state !== 'failed') child.state = then;
      if (!handle) continue;
      child.generation += 1; // its exit, when it comes, belongs to no running incarnation
      await this.stopOne(child, handle);
    }
  }

  private async stopOne(child: Child, handle: ChildHandle): Promise<void> {
    const shutdownMs = child.spec.shutdownMs ?? DEFAULT_SHUTDOWN_MS;
    const outcome = await stopWithin(handle, shutdownMs, this.clock);
    if (outcome.kind === 'timeout') {
      this.log.warn({ child: child.spec.id, shutdownMs }, 'child did not stop in time');
      this.emit({
        type: 'child-stop-timeout',
        supervisor: this.options.id,
        child: child.spec.id,
        shutdownMs,
      });
    } else if (outcome.kind === 'failed') {
      this.log.warn(
        { child: child.spec.id, err: errorText(outcome.error) },
        'child failed while stopping',
      );
    }
  }

  private cancelTimers(): void {
    for (const child of this.children) {
      this.clock.clearTimeout(child.timer);
      child.timer = undefined;
    }
  }

  private emit(event: SupervisorEvent): void {
    this.log.debug(event, event.type);
    try {
      this.options.onEvent?.(event);
    } catch (error) {
      // A broken listener must not break supervision; it is logged instead.
      this.log.error({ err: errorText(error) }, 'supervisor onEvent listener threw');
    }
  }
}

/** Starts the children in order; rejects (having stopped the others) if one fails to start. */
export async function startSupervisor(options: SupervisorOptions): Promise<Supervisor> {
  const supervisor = new SupervisorImpl(options);
  await supervisor.startAll();
  return supervisor;
}
