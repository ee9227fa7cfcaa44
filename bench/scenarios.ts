/**
 * The measurements, each against one running target: a load (throughput or a fixed rate)
 * with the target's CPU and memory sampled over it, idle memory per connected device, and
 * the gateway's own counters afterwards (why a reading went missing, if one did).
 */
import { upstreamWildcard } from '../contract/index.js';
import { type BackendPlan, Fleet, type LoadMode, type LoadResult } from './load.js';
import { ProcSampler, type ProcWindow, rssBytes } from './proc-stats.js';
import type { Target } from './targets.js';

/** The gateway's event loop over a phase, from its /metrics (loop-monitor.ts). */
export interface LoopFigures {
  /** Share of the phase the loop was working, 0..100. */
  busyPercent: number;
  /** Timer lateness: the bucket bound under which 99% of the samples fell, and the mean. */
  delayP99Ms: number;
  delayMeanMs: number;
  /** GC pauses over the phase; maxMs is the bucket bound of the longest. */
  gc: Record<'minor' | 'major', { count: number; totalMs: number; maxMs: number }>;
  /** The outbox's disk syncs over the phase (count, mean, bucket bound of the 99th percentile). */
  sync: { count: number; meanMs: number; p99Ms: number };
  /** Timer lateness: the bucket bound of the latest sample (a stall shows here, not in p99). */
  delayMaxMs: number;
  /** RESTART checkpoints (they wait for the writer once): count, total, bound of the longest. */
  restartCheckpoints: { count: number; totalMs: number; maxMs: number };
}

export interface LoadFigures {
  target: Target['kind'];
  mode: LoadMode;
  devices: number;
  result: LoadResult;
  proc: ProcWindow;
  /** The gateway only. */
  loop?: LoopFigures;
  /** The bench process itself (devices and backend threads): is the generator the limit? */
  generator: ProcWindow;
}

export interface IdleFigures {
  devices: number;
  connected: number;
  connectMs: number;
  baselineRssBytes: number;
  /** Right after the last device connected. */
  justConnectedRssBytes: number;
  /** After `settleMs` of quiet (V8 collects the garbage of the connection storm). */
  connectedRssBytes: number;
  settleMs: number;
  bytesPerDevice: number;
}

function backendOf(target: Target): BackendPlan {
  return target.kind === 'gateway'
    ? {
        port: target.mqttPort,
        username: target.backend.username,
        password: target.backend.password,
        filter: upstreamWildcard('telemetry'),
        format: 'batch',
      }
    : { port: target.mqttPort, filter: 'fs/v1/+/telemetry', format: 'device' };
}

/** Connects `devices` simulated devices to the target (births sent, cmd subscribed). */
export function openFleet(
  target: Target,
  devices: number,
  workers: number,
  prefix: string,
): Promise<Fleet> {
  return Fleet.open({ host: target.host, port: target.mqttPort, devices, prefix, workers });
}

/** One phase of load on an open fleet, with the target's and the bench's CPU and memory. */
export async function measurePhase(
  target: Target,
  fleet: Fleet,
  mode: LoadMode,
  durationMs: number,
  drainTimeoutMs: number,
  warmupMs = 0,
): Promise<LoadFigures> {
  const targetSampler = new ProcSampler(target.pid);
  const selfSampler = new ProcSampler(process.pid);
  const loopBefore = await loopSample(target);
  targetSampler.start();
  selfSampler.start();
  try {
    const result: LoadResult = await fleet.run({
      backend: backendOf(target),
      mode,
      durationMs,
      drainTimeoutMs,
      warmupMs,
    });
    const proc = targetSampler.stop();
    const generator = selfSampler.stop();
    const loopAfter = await loopSample(target);
    const loop = loopBefore && loopAfter ? loopFigures(loopBefore, loopAfter) : undefined;
    return { target: target.kind, mode, devices: fleet.connected, result, proc, generator, loop };
  } finally {
    targetSampler.dispose();
    selfSampler.dispose();
  }
}

const settle = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** RSS growth of the target with `devices` idle devices connected, per device. */
export async function measureIdle(
  target: Target,
  devices: number,
  workers: number,
  settleMs: number,
): Promise<IdleFigures> {
  await settle(1000);
  const baselineRssBytes = rssBytes(target.pid);
  const fleet = await openFleet(target, devices, workers, 'idle');
  try {
    const justConnectedRssBytes = rssBytes(target.pid);
    // Idle devices for a while: the RSS that stays, not the garbage of 10,000 handshakes.
    await settle(settleMs);
    const connectedRssBytes = rssBytes(target.pid);
    return {
      devices,
      connected: fleet.connected,
      connectMs: fleet.connectMs,
      baselineRssBytes,
      justConnectedRssBytes,
      connectedRssBytes,
      settleMs,
      bytesPerDevice: (connectedRssBytes - baselineRssBytes) / Math.max(1, fleet.connected),
    };
  } finally {
    await fleet.close();
  }
}

/** A Prometheus histogram as scraped: cumulative counts per bucket bound (ms), +Inf last. */
interface HistogramSample {
  buckets: Array<[number, number]>;
  count: number;
  sum: number;
}

interface LoopSample {
  at: number;
  busySeconds: number;
  histograms: Map<string, HistogramSample>;
}

const LOOP_HISTOGRAMS = [
  'fs_gateway_event_loop_delay_ms',
  'fs_gateway_gc_minor_pause_ms',
  'fs_gateway_gc_major_pause_ms',
  'fs_gateway_outbox_sync_ms',
  'fs_gateway_wal_checkpoint_restart_ms',
];

/** The gateway's /metrics text (a plain broker has none). */
async function metricsText(target: Target): Promise<string | undefined> {
  if (target.httpPort === undefined) return undefined;
  return (await fetch(`http://${target.host}:${target.httpPort}/metrics`)).text();
}

async function loopSample(target: Target): Promise<LoopSample | undefined> {
  const text = await metricsText(target);
  return text === undefined ? undefined : loopSampleOf(text);
}

function loopSampleOf(text: string): LoopSample {
  const sample: LoopSample = { at: Date.now(), busySeconds: 0, histograms: new Map() };
  for (const name of LOOP_HISTOGRAMS)
    sample.histograms.set(name, { buckets: [], count: 0, sum: 0 });
  for (const line of text.split('\n')) {
    const [key, value] = line.split(' ');
    if (key === undefined || value === undefined) continue;
    if (key === 'fs_gateway_event_loop_busy_seconds_total') {
      sample.busySeconds = Number(value);
      continue;
    }
    const match = /^([a-z_]+)_(bucket|sum|count)(?:\{le="([^"]+)"\})?$/.exec(key);
    const h = match ? sample.histograms.get(match[1] as string) : undefined;
    if (!match || !h) continue;
    if (match[2] === 'sum') h.sum = Number(value);
    else if (match[2] === 'count') h.count = Number(value);
    else {
      const le = match[3] === '+Inf' ? Number.POSITIVE_INFINITY : Number(match[3]);
      h.buckets.push([le, Number(value)]);
    }
  }
  return sample;
}

/** The change of a histogram between two scrapes: count, sum, and the bound holding `q` of it. */
function histogramDelta(a: HistogramSample | undefined, b: HistogramSample | undefined, q: number) {
  const count = (b?.count ?? 0) - (a?.count ?? 0);
  const sum = (b?.sum ?? 0) - (a?.sum ?? 0);
  let bound = 0;
  const buckets = b?.buckets ?? [];
  for (let i = 0; count > 0 && i < buckets.length; i++) {
    const [le, n] = buckets[i] as [number, number];
    if (n - (a?.buckets[i]?.[1] ?? 0) >= q * count) {
      bound = le;
      break;
    }
  }
  return { count, sum, bound };
}

function loopFigures(a: LoopSample, b: LoopSample): LoopFigures {
  const h = (name: string, q: number) =>
    histogramDelta(a.histograms.get(name), b.histograms.get(name), q);
  const delay = h('fs_gateway_event_loop_delay_ms', 0.99);
  const minor = h('fs_gateway_gc_minor_pause_ms', 1);
  const major = h('fs_gateway_gc_major_pause_ms', 1);
  const sync = h('fs_gateway_outbox_sync_ms', 0.99);
  const restart = h('fs_gateway_wal_checkpoint_restart_ms', 1);
  return {
    busyPercent: (100 * (b.busySeconds - a.busySeconds) * 1000) / Math.max(1, b.at - a.at),
    delayP99Ms: delay.bound,
    delayMeanMs: delay.sum / Math.max(1, delay.count),
    gc: {
      minor: { count: minor.count, totalMs: minor.sum, maxMs: minor.bound },
      major: { count: major.count, totalMs: major.sum, maxMs: major.bound },
    },
    sync: { count: sync.count, meanMs: sync.sum / Math.max(1, sync.count), p99Ms: sync.bound },
    delayMaxMs: h('fs_gateway_event_loop_delay_ms', 1).bound,
    restartCheckpoints: { count: restart.count, totalMs: restart.sum, maxMs: restart.bound },
  };
}

export interface GatewayCounts {
  rejected: Record<string, number>;
  duplicatesDropped: number;
  outboxDropped: number;
  outboxDepth: number;
  restarts: number;
}

/** Sums the gateway's Prometheus counters that explain a missing or extra reading. */
export async function scrapeGateway(target: Target): Promise<GatewayCounts | undefined> {
  const text = await metricsText(target);
  return text === undefined ? undefined : countsOf(text);
}

function countsOf(text: string): GatewayCounts {
  const out: GatewayCounts = {
    rejected: {},
    duplicatesDropped: 0,
    outboxDropped: 0,
    outboxDepth: 0,
    restarts: 0,
  };
  for (const line of text.split('\n')) {
    const match = /^([a-z_]+)(\{[^}]*\})? ([0-9.e+-]+)$/.exec(line);
    if (!match) continue;
    const [, name, labels = '', raw] = match;
    const value = Number(raw);
    if (name === 'fs_gateway_messages_rejected_total' && labels) {
      const reason = /reason="([^"]+)"/.exec(labels)?.[1] ?? 'unknown';
      out.rejected[reason] = (out.rejected[reason] ?? 0) + value;
    } else if (name === 'fs_gateway_duplicates_total') out.duplicatesDropped += value;
    else if (name === 'fs_gateway_outbox_dropped_total') out.outboxDropped += value;
    else if (name === 'fs_gateway_outbox_depth') out.outboxDepth = value;
    else if (name === 'fs_gateway_restarts_total') out.restarts += value;
  }
  return out;
}

/**
 * Waits until the gateway is quiet after a load: its outbox empty and its event loop busy
 * less than 10 % over the last second (or `maxMs` passed). The fixed-rate load then measures
 * the gateway at that rate, not its recovery from the overload before it (deleting what
 * upstream acknowledged, checkpoints, the old generation's collection). A plain broker has no
 * /metrics: it gets a fixed pause. Returns how long it waited and whether it settled.
 */
export async function settleAfterLoad(
  target: Target,
  maxMs: number,
): Promise<{ ms: number; quiet: boolean }> {
  const t0 = Date.now();
  if (target.httpPort === undefined) {
    await settle(2000);
    return { ms: Date.now() - t0, quiet: true };
  }
  let last = await loopSample(target);
  while (Date.now() - t0 < maxMs) {
    await settle(1000);
    const text = await metricsText(target);
    if (!last || text === undefined) return { ms: Date.now() - t0, quiet: false };
    const now = loopSampleOf(text);
    const counts = countsOf(text);
    const busy = (now.busySeconds - last.busySeconds) / Math.max(0.001, (now.at - last.at) / 1000);
    last = now;
    if (busy < 0.1 && counts.outboxDepth === 0) return { ms: Date.now() - t0, quiet: true };
  }
  return { ms: Date.now() - t0, quiet: false };
}
