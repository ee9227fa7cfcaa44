import type { HistogramSnapshot } from './accounting.js';

/** What the benchmark's main thread and its worker threads say to each other. */

/**
 * What each simulated device measures: a temperature and humidity sensor (an SHT31, or a
 * BME280 without its pressure), so every telemetry message carries two readings, a realistic
 * device payload. A reading is one sensor value, as in the contract's `readings` object.
 */
export const BENCH_SENSORS = [
  { id: 't', kind: 'temperature', unit: 'C' },
  { id: 'h', kind: 'humidity', unit: '%' },
] as const;

/** How the simulated devices publish. */
export type LoadMode =
  /** As fast as the target allows: each device keeps `window` QoS 1 publishes unacknowledged. */
  | { kind: 'max'; window: number }
  /** A fixed offered rate (messages per second across all devices), open loop. */
  | { kind: 'rate'; perSecond: number; maxInFlight: number }
  /** Connected (subscribed to cmd, birth sent) and quiet: between phases, or for memory. */
  | { kind: 'idle' };

export interface DeviceWorkerConfig {
  host: string;
  port: number;
  deviceIds: string[];
  /** 0: off; n: every n-th message is published twice (as a device resending after a lost PUBACK). */
  duplicateEvery: number;
  keepaliveSeconds: number;
  /** Connections opened at once per worker. */
  connectConcurrency: number;
}

/**
 * Phases of load on connections that stay open: each phase is a new `boot` of every device,
 * with seq from 0 again, so that the backend tells the phases apart.
 */
export type ToDeviceWorker =
  | { type: 'start'; mode: LoadMode; boot: number }
  | { type: 'stop'; drainMs: number }
  | { type: 'close' };

export type FromDeviceWorker =
  | { type: 'ready'; connected: number; errors: string[] }
  | { type: 'progress'; sent: number; acked: number }
  | {
      type: 'done';
      /** Per device, one flag byte per seq (SENT, ACKED in accounting.ts). */
      flags: Map<string, Uint8Array>;
      sent: number;
      acked: number;
      /** Messages the rate mode could not offer because a device had maxInFlight unacked. */
      skipped: number;
      disconnects: number;
      /** Rate mode: the longest gap between the generator's 1 ms ticks, the largest burst offered in one. */
      generatorStall: { maxGapMs: number; maxBurst: number };
      errors: string[];
    }
  | { type: 'closed' }
  | { type: 'failed'; message: string };

export type BackendFormat =
  /** The gateway's upstream telemetry: TelemetryBatch, items with device, seq, ts. */
  | 'batch'
  /** Device telemetry as published (plain broker, no gateway): fs/v1/<id>/telemetry. */
  | 'device';

export interface BackendWorkerConfig {
  host: string;
  port: number;
  clientId: string;
  username?: string;
  password?: string;
  filter: string;
  format: BackendFormat;
  /** Only messages of this boot count; others (a previous phase arriving late) are `stale`. */
  boot: number;
  /** Messages stamped within this long of the first one received are left out of the latency. */
  warmupMs: number;
}

export type ToBackendWorker = { type: 'stop' };

/** A message slower than this, device to backend, counts in `slowPerSecond` (the p99 target). */
export const SLOW_MS = 50;

export type FromBackendWorker =
  | { type: 'ready' }
  | { type: 'progress'; unique: number; lastReceiveAt: number }
  | {
      type: 'done';
      /** Per device, the number of copies received per seq (saturating at 255). */
      counts: Map<string, Uint8Array>;
      /** Device `ts` to backend receipt. */
      latency: HistogramSnapshot;
      /** Device `ts` to the gateway's `rx` (batch format only: where the latency arises). */
      toGateway: HistogramSnapshot | undefined;
      /**
       * Per second of receipt (from the first message received), the distinct messages slower
       * than SLOW_MS: whether a tail comes from a few stalls or from a whole load.
       */
      slowPerSecond: number[];
      /** How late the subscriber's 100 ms timer fired at worst: its own stalls. */
      maxTickLateMs: number;
      unique: number;
      /** Sensor values in the distinct messages received. */
      uniqueReadings: number;
      firstReceiveAt: number;
      lastReceiveAt: number;
      malformed: number;
      stale: number;
    }
  | { type: 'failed'; message: string };
