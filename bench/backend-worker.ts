/**
 * The backend subscriber, in its own worker thread: it subscribes at QoS 1 (to the gateway's
 * upstream telemetry, or to the devices' topics on a plain broker), counts every copy of every
 * (device, seq), and records device-to-backend latency as its receive time minus the `ts` the
 * device stamped when it published (same machine, same clock).
 */
import { parentPort, workerData } from 'node:worker_threads';
import type { ForwardedTelemetry, TelemetryBatch } from '../contract/index.js';
import { LatencyHistogram, SeqBytes } from './accounting.js';
import {
  type BackendWorkerConfig,
  type FromBackendWorker,
  SLOW_MS,
  type ToBackendWorker,
} from './load-protocol.js';
import { WireConnection } from './mqtt-wire.js';

const config = workerData as BackendWorkerConfig;
const port = parentPort;
if (!port) throw new Error('backend-worker.ts runs only as a worker thread');
const post = (message: FromBackendWorker) => port.postMessage(message);

const counts = new Map<string, SeqBytes>();
const latency = new LatencyHistogram();
const toGateway = config.format === 'batch' ? new LatencyHistogram() : undefined;
let unique = 0;
let uniqueReadings = 0;
let malformed = 0;
let stale = 0;
const slowPerSecond: number[] = [];
/** Device stamps before this are the warm-up: counted, but not in the latency figures. */
let measureFromTs = Number.NaN;
let firstReceiveAt = 0;
let lastReceiveAt = 0;

/** Sensor values in one message's `readings` object. */
function readingsIn(readings: unknown): number {
  let n = 0;
  if (readings && typeof readings === 'object') for (const _ in readings) n++;
  return n;
}

function record(
  device: string,
  boot: number,
  seq: number,
  ts: number,
  now: number,
  readings: unknown,
  rx?: number,
): void {
  if (!Number.isInteger(seq) || seq < 0 || typeof ts !== 'number') {
    malformed++;
    return;
  }
  if (boot !== config.boot) {
    stale++;
    return;
  }
  let log = counts.get(device);
  if (!log) {
    log = new SeqBytes();
    counts.set(device, log);
  }
  if (log.get(seq) === 0) {
    unique++;
    uniqueReadings += readingsIn(readings);
    if (Number.isNaN(measureFromTs)) measureFromTs = ts + config.warmupMs;
    if (ts >= measureFromTs) recordLatency(ts, now, rx);
  }
  log.update(seq, 1, false);
}

function recordLatency(ts: number, now: number, rx: number | undefined): void {
  latency.record(now - ts);
  if (now - ts > SLOW_MS) {
    const second = Math.floor((now - firstReceiveAt) / 1000);
    for (let s = slowPerSecond.length; s <= second; s++) slowPerSecond.push(0);
    slowPerSecond[second] = (slowPerSecond[second] as number) + 1;
  }
  if (rx !== undefined) toGateway?.record(rx - ts);
}

function onPublish(topic: string, payload: Buffer): void {
  const now = Date.now();
  if (firstReceiveAt === 0) firstReceiveAt = now;
  lastReceiveAt = now;
  let body: unknown;
  try {
    body = JSON.parse(payload.toString('utf8'));
  } catch {
    // Not JSON: counted as malformed and reported; the benchmark keeps going.
    malformed++;
    return;
  }
  if (config.format === 'batch') {
    const items = (body as Partial<TelemetryBatch>).items;
    if (!Array.isArray(items)) {
      malformed++;
      return;
    }
    for (const item of items as ForwardedTelemetry[]) {
      record(item.device, item.boot, item.seq, item.ts, now, item.readings, item.rx);
    }
  } else {
    const device = topic.split('/')[2] ?? '';
    const t = body as { seq: number; boot: number; ts: number; readings: unknown };
    record(device, t.boot, t.seq, t.ts, now, t.readings);
  }
}

async function main(): Promise<void> {
  const wire = await WireConnection.open(
    {
      host: config.host,
      port: config.port,
      clientId: config.clientId,
      username: config.username,
      password: config.password,
      keepalive: 0,
    },
    { onPublish },
  );
  await wire.subscribe(config.filter);
  let lastTick = performance.now();
  let maxTickLateMs = 0;
  const progress = setInterval(() => {
    // How late this 100 ms timer fired: a stall of the subscriber delays every receipt.
    const now = performance.now();
    maxTickLateMs = Math.max(maxTickLateMs, now - lastTick - 100);
    lastTick = now;
    post({ type: 'progress', unique, lastReceiveAt });
  }, 100);
  post({ type: 'ready' });
  port?.on('message', (message: ToBackendWorker) => {
    if (message.type !== 'stop') return;
    clearInterval(progress);
    post({
      type: 'done',
      counts: new Map([...counts].map(([device, log]) => [device, log.snapshot()])),
      latency: latency.snapshot(),
      toGateway: toGateway?.snapshot(),
      slowPerSecond,
      maxTickLateMs,
      unique,
      uniqueReadings,
      firstReceiveAt,
      lastReceiveAt,
      malformed,
      stale,
    });
    void wire.end().then(() => port.close());
  });
}

main().catch((error: Error) => post({ type: 'failed', message: error.message }));
