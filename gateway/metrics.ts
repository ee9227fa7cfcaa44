/**
 * Counters, gauges and a latency histogram, rendered as Prometheus text. Hand-written on
 * purpose: prom-client is not a dependency, and the gateway needs only these three shapes.
 */
type Labels = Record<string, string>;
const EMPTY: Labels = {};

interface Family {
  name: string;
  help: string;
  type: 'counter' | 'gauge' | 'histogram';
}

function labelKey(labels: Labels): string {
  return Object.keys(labels)
    .sort()
    .map(
      (k) =>
        `${k}="${String(labels[k]).replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n')}"`,
    )
    .join(',');
}

export class Counter {
  readonly values = new Map<string, number>();
  /** Label objects seen before map to their key without rebuilding it (hot counters reuse them). */
  private readonly keys = new WeakMap<Labels, string>();
  constructor(readonly family: Family) {}
  inc(labels: Labels = EMPTY, by = 1): void {
    let key = this.keys.get(labels);
    if (key === undefined) {
      key = labelKey(labels);
      this.keys.set(labels, key);
    }
    this.values.set(key, (this.values.get(key) ?? 0) + by);
  }
  get(labels: Labels = {}): number {
    return this.values.get(labelKey(labels)) ?? 0;
  }
  total(): number {
    let sum = 0;
    for (const v of this.values.values()) sum += v;
    return sum;
  }
}

/** A gauge read when scraped, so it is never stale. */
export class Gauge {
  constructor(
    readonly family: Family,
    readonly read: () => Array<{ labels: Labels; value: number }>,
  ) {}
}

export class Histogram {
  readonly counts: number[];
  sum = 0;
  count = 0;
  constructor(
    readonly family: Family,
    readonly buckets: number[],
  ) {
    this.counts = buckets.map(() => 0);
  }
  /** `times` observations of the same value (a batch of readings acknowledged together). */
  observe(value: number, times = 1): void {
    this.sum += value * times;
    this.count += times;
    for (let i = 0; i < this.buckets.length; i++) {
      if (value <= (this.buckets[i] as number)) this.counts[i] = (this.counts[i] as number) + times;
    }
  }
}

export class Metrics {
  private readonly all: Array<Counter | Gauge | Histogram> = [];

  counter(name: string, help: string): Counter {
    const c = new Counter({ name, help, type: 'counter' });
    this.all.push(c);
    return c;
  }

  gauge(name: string, help: string, read: Gauge['read']): Gauge {
    const g = new Gauge({ name, help, type: 'gauge' }, read);
    this.all.push(g);
    return g;
  }

  histogram(name: string, help: string, buckets: number[]): Histogram {
    const h = new Histogram({ name, help, type: 'histogram' }, buckets);
    this.all.push(h);
    return h;
  }

  /** Prometheus text exposition format 0.0.4. */
  render(): string {
    const lines: string[] = [];
    for (const m of this.all) {
      const { name, help, type } = m.family;
      lines.push(`# HELP ${name} ${help}`, `# TYPE ${name} ${type}`);
      if (m instanceof Counter) {
        if (m.values.size === 0) lines.push(`${name} 0`);
        for (const [key, value] of m.values) lines.push(`${name}${key ? `{${key}}` : ''} ${value}`);
      } else if (m instanceof Gauge) {
        for (const { labels, value } of m.read()) {
          const key = labelKey(labels);
          lines.push(`${name}${key ? `{${key}}` : ''} ${value}`);
        }
      } else {
        m.buckets.forEach((le, i) => {
          lines.push(`${name}_bucket{le="${le}"} ${m.counts[i]}`);
        });
        lines.push(
          `${name}_bucket{le="+Inf"} ${m.count}`,
          `${name}_sum ${m.sum}`,
          `${name}_count ${m.count}`,
        );
      }
    }
    return `${lines.join('\n')}\n`;
  }
}

/** Every metric the gateway exports, created once and handed to the parts that count. */
export function gatewayCounters(metrics: Metrics) {
  return {
    messagesIn: metrics.counter(
      'fs_gateway_messages_in_total',
      'Device messages received, by kind',
    ),
    messagesOut: metrics.counter(
      'fs_gateway_messages_out_total',
      'Messages forwarded upstream and acknowledged, by kind',
    ),
    readingsOut: metrics.counter(
      'fs_gateway_readings_forwarded_total',
      'Telemetry messages acknowledged by the upstream broker',
    ),
    rejected: metrics.counter(
      'fs_gateway_messages_rejected_total',
      'Device messages rejected, by device and reason',
    ),
    duplicates: metrics.counter(
      'fs_gateway_duplicates_total',
      'Telemetry dropped as a duplicate (device, boot, seq), by device',
    ),
    outboxDropped: metrics.counter(
      'fs_gateway_outbox_dropped_total',
      'Readings dropped or refused because the outbox reached its disk budget, by policy',
    ),
    handlerCrashes: metrics.counter(
      'fs_gateway_device_handler_crashes_total',
      'Device handlers that threw and were restarted, by device',
    ),
    restarts: metrics.counter('fs_gateway_restarts_total', 'Supervised restarts, by child'),
    commands: metrics.counter(
      'fs_gateway_commands_total',
      'Commands routed to devices, by outcome',
    ),
    outboxSync: metrics.histogram(
      'fs_gateway_outbox_sync_ms',
      'Time to sync the outbox to disk (fdatasync of its WAL), milliseconds',
      [0.5, 1, 2, 5, 10, 20, 50, 100, 200, 500],
    ),
    checkpointPassive: metrics.histogram(
      'fs_gateway_wal_checkpoint_passive_ms',
      'WAL checkpoints that never block a writer (in the checkpoint worker), milliseconds',
      [1, 2, 5, 10, 20, 50, 100, 200, 500, 1000],
    ),
    checkpointRestart: metrics.histogram(
      'fs_gateway_wal_checkpoint_restart_ms',
      'WAL checkpoints that wait for the writer once (the log grew past its bound), milliseconds',
      [1, 2, 5, 10, 20, 50, 100, 200, 500, 1000],
    ),
    forwardLatency: metrics.histogram(
      'fs_gateway_forward_latency_ms',
      'Gateway receive to upstream acknowledgement, milliseconds',
      [1, 2, 5, 10, 20, 50, 100, 200, 500, 1000, 5000, 30000],
    ),
  };
}

export type GatewayCounters = ReturnType<typeof gatewayCounters>;
