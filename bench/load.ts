/**
 * The load generator, seen from the main thread: it spreads the simulated devices over worker
 * threads, runs one backend subscriber in another, drives them through connect, run, drain
 * and close, and reconciles what was sent and acknowledged with what the backend received.
 * Every wait here is bounded; every worker is terminated on the way out.
 */
import type { Worker } from 'node:worker_threads';
import { LatencyHistogram, type LatencySummary, type Reconciled, reconcile } from './accounting.js';
import type {
  BackendFormat,
  BackendWorkerConfig,
  DeviceWorkerConfig,
  FromBackendWorker,
  FromDeviceWorker,
  LoadMode,
} from './load-protocol.js';
import { next, spawnWorker } from './workers.js';

export type { LoadMode } from './load-protocol.js';

/** Where the simulated devices connect, and how many. */
export interface FleetPlan {
  /** The gateway's device broker, or a plain broker. */
  host: string;
  port: number;
  devices: number;
  /** Device ids are `<prefix>-<n>`; a distinct prefix per fleet keeps fleets apart. */
  prefix: string;
  workers: number;
  duplicateEvery?: number;
  keepaliveSeconds?: number;
}

export interface BackendPlan {
  port: number;
  username?: string;
  password?: string;
  filter: string;
  format: BackendFormat;
}

/** One phase of load on an open fleet. */
export interface PhasePlan {
  backend: BackendPlan;
  mode: LoadMode;
  durationMs: number;
  /**
   * The load runs this much longer, first, and the messages stamped in it are left out of
   * the latency figures (they still count for loss and throughput): the steady state.
   */
  warmupMs?: number;
  /**
   * After the devices stop: how long at most to wait for the last PUBACKs and for the backend
   * to catch up (default 120 s); the wait also ends when nothing new arrived for 5 s.
   */
  drainTimeoutMs?: number;
  /** The backend is taken to be done when nothing new arrived for this long (default 5 s). */
  stallMs?: number;
}

export interface LoadResult extends Reconciled {
  /** From the first publish to the last message the backend received. */
  elapsedMs: number;
  /** Distinct messages received per second of elapsedMs. */
  messagesPerSecond: number;
  /** Sensor values (a message's `readings`) in the distinct messages received. */
  readingsReceived: number;
  /** Distinct sensor values received per second of elapsedMs. */
  readingsPerSecond: number;
  /** Messages offered per second while running (the rate mode may skip some). */
  offeredPerSecond: number;
  skipped: number;
  /** Device `ts` to backend receipt. */
  latency: LatencySummary;
  /** Device `ts` to the gateway's receive time `rx` (gateway runs only). */
  toGateway: LatencySummary | undefined;
  /** Per second of receipt, the messages slower than SLOW_MS (load-protocol.ts). */
  slowPerSecond: number[];
  /** Rate mode, over the device workers: the longest gap between ticks, the largest burst. */
  generatorStall: { maxGapMs: number; maxBurst: number };
  /** The backend subscriber's worst timer lateness: its own stalls. */
  backendStallMs: number;
  connected: number;
  connectMs: number;
  disconnects: number;
  malformed: number;
  /** Readings of an earlier phase that reached the backend during this one. */
  stale: number;
  /** The wait for the backend ended while messages were still arriving: `lost` counts late ones too. */
  drainCut: boolean;
  errors: string[];
}

/** How long the backend subscriber is connected before a load starts. */
const SUBSCRIBER_SETTLE_MS = 1000;

function split<T>(items: T[], parts: number): T[][] {
  const out: T[][] = Array.from({ length: parts }, () => []);
  for (let i = 0; i < items.length; i++) out[i % parts]?.push(items[i] as T);
  return out.filter((p) => p.length > 0);
}

function deviceIds(plan: FleetPlan): string[] {
  const width = String(plan.devices - 1).length;
  return Array.from(
    { length: plan.devices },
    (_, i) => `${plan.prefix}-${String(i).padStart(width, '0')}`,
  );
}

function perWorkerMode(mode: LoadMode, workers: number): LoadMode {
  return mode.kind === 'rate' ? { ...mode, perSecond: mode.perSecond / workers } : mode;
}

async function startBackend(
  host: string,
  plan: BackendPlan,
  boot: number,
  warmupMs: number,
): Promise<Worker> {
  const config: BackendWorkerConfig = {
    warmupMs,
    host,
    port: plan.port,
    clientId: `bench-backend-${process.pid}-${boot}`,
    username: plan.username,
    password: plan.password,
    filter: plan.filter,
    format: plan.format,
    boot,
  };
  const worker = spawnWorker('backend-worker', config);
  try {
    await next(worker, ['ready'], 15_000, 'backend subscriber');
  } catch (error) {
    await worker.terminate();
    throw error;
  }
  return worker;
}

/**
 * Simulated devices, connected once (each subscribed to its cmd topic, its birth sent) and
 * then driven through phases of load; close() disconnects them all and ends the workers.
 */
export class Fleet {
  private boot = 0;

  private constructor(
    private readonly plan: FleetPlan,
    private readonly workers: Worker[],
    readonly connected: number,
    readonly connectMs: number,
    readonly errors: string[],
  ) {}

  static async open(plan: FleetPlan, connectTimeoutMs = 120_000): Promise<Fleet> {
    const t0 = Date.now();
    const shares = split(deviceIds(plan), Math.max(1, plan.workers));
    const workers = shares.map((ids) => {
      const config: DeviceWorkerConfig = {
        host: plan.host,
        port: plan.port,
        deviceIds: ids,
        duplicateEvery: plan.duplicateEvery ?? 0,
        keepaliveSeconds: plan.keepaliveSeconds ?? 60,
        connectConcurrency: 100,
      };
      return spawnWorker('device-worker', config);
    });
    try {
      const ready = await Promise.all(
        workers.map((w, i) =>
          next<Extract<FromDeviceWorker, { type: 'ready' }>>(
            w,
            ['ready'],
            connectTimeoutMs,
            `device worker ${i}`,
          ),
        ),
      );
      return new Fleet(
        plan,
        workers,
        ready.reduce((n, r) => n + r.connected, 0),
        Date.now() - t0,
        ready.flatMap((r) => r.errors),
      );
    } catch (error) {
      await Promise.all(workers.map((w) => w.terminate()));
      throw error;
    }
  }

  /** Runs one phase: publish for durationMs, drain, reconcile. */
  async run(phase: PhasePlan): Promise<LoadResult> {
    const drainTimeoutMs = phase.drainTimeoutMs ?? 120_000;
    const stallMs = phase.stallMs ?? 5000;
    const boot = ++this.boot;
    const warmupMs = phase.warmupMs ?? 0;
    const backend = await startBackend(this.plan.host, phase.backend, boot, warmupMs);
    // A backend is a long-lived subscriber. In the first few hundred ms after a subscriber
    // connects, messages reached it late (measured: about 1,700 of them over 50 ms in the
    // first 0.4 s of a 10,000 msg/s load, and none with the subscriber connected a second
    // earlier); the loads measure the steady state, so the subscriber settles first.
    await new Promise((r) => setTimeout(r, SUBSCRIBER_SETTLE_MS));
    try {
      let backendUnique = 0;
      backend.on('message', (m: FromBackendWorker) => {
        if (m.type === 'progress') backendUnique = m.unique;
      });
      const mode = perWorkerMode(phase.mode, this.workers.length);
      const startAt = Date.now();
      for (const w of this.workers) w.postMessage({ type: 'start', mode, boot });
      await new Promise((r) => setTimeout(r, warmupMs + phase.durationMs));
      const stopAt = Date.now();
      for (const w of this.workers) w.postMessage({ type: 'stop', drainMs: drainTimeoutMs });
      const done = await Promise.all(
        this.workers.map((w, i) =>
          next<Extract<FromDeviceWorker, { type: 'done' }>>(
            w,
            ['done'],
            drainTimeoutMs + 10_000,
            `device worker ${i}`,
          ),
        ),
      );
      const acked = done.reduce((n, d) => n + d.acked, 0);
      // The backend catches up: until it has as many distinct messages as were acknowledged,
      // or nothing new arrived for stallMs (what is missing then is lost), or the budget is spent
      // while messages still arrive (then they are late, not lost: drainCut says so).
      const deadline = Date.now() + drainTimeoutMs;
      let last = backendUnique;
      let lastChange = Date.now();
      while (backendUnique < acked && Date.now() < deadline && Date.now() - lastChange < stallMs) {
        await new Promise((r) => setTimeout(r, 50));
        if (backendUnique !== last) {
          last = backendUnique;
          lastChange = Date.now();
        }
      }
      backend.postMessage({ type: 'stop' });
      const seen = await next<Extract<FromBackendWorker, { type: 'done' }>>(
        backend,
        ['done'],
        10_000,
        'backend subscriber',
      );
      const drainCut = backendUnique < acked && Date.now() >= deadline;
      return { ...this.result(done, seen, startAt, stopAt), drainCut };
    } finally {
      await backend.terminate();
    }
  }

  async close(): Promise<void> {
    await Promise.all(
      this.workers.map(async (w, i) => {
        w.postMessage({ type: 'close' });
        await next(w, ['closed'], 30_000, `closing device worker ${i}`).catch(() => undefined);
        await w.terminate();
      }),
    );
  }

  private result(
    done: Array<Extract<FromDeviceWorker, { type: 'done' }>>,
    seen: Extract<FromBackendWorker, { type: 'done' }>,
    startAt: number,
    stopAt: number,
  ): Omit<LoadResult, 'drainCut'> {
    const flags = new Map<string, Uint8Array>();
    for (const d of done) for (const [id, f] of d.flags) flags.set(id, f);
    const totals = reconcile(flags, seen.counts);
    const elapsedMs = Math.max(1, (seen.lastReceiveAt || stopAt) - startAt);
    const skipped = done.reduce((n, d) => n + d.skipped, 0);
    return {
      ...totals,
      elapsedMs,
      messagesPerSecond: (totals.received / elapsedMs) * 1000,
      readingsReceived: seen.uniqueReadings,
      readingsPerSecond: (seen.uniqueReadings / elapsedMs) * 1000,
      offeredPerSecond: ((totals.sent + skipped) / Math.max(1, stopAt - startAt)) * 1000,
      skipped,
      latency: new LatencyHistogram(seen.latency).summary(),
      toGateway: seen.toGateway ? new LatencyHistogram(seen.toGateway).summary() : undefined,
      slowPerSecond: seen.slowPerSecond,
      backendStallMs: seen.maxTickLateMs,
      generatorStall: {
        maxGapMs: Math.max(0, ...done.map((d) => d.generatorStall.maxGapMs)),
        maxBurst: Math.max(0, ...done.map((d) => d.generatorStall.maxBurst)),
      },
      connected: this.connected,
      connectMs: this.connectMs,
      disconnects: done.reduce((n, d) => n + d.disconnects, 0),
      malformed: seen.malformed,
      stale: seen.stale,
      errors: [...this.errors, ...done.flatMap((d) => d.errors)].slice(0, 10),
    };
  }
}

/** Opens a fleet, runs one phase, closes it (the tests' one-shot form). */
export async function runLoad(plan: FleetPlan & PhasePlan): Promise<LoadResult> {
  const fleet = await Fleet.open(plan);
  try {
    return await fleet.run(plan);
  } finally {
    await fleet.close();
  }
}
