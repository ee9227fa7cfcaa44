/** Gauges read at scrape time from the live parts, so they follow restarts of those parts. */
import { walBytes } from './checkpointer.js';
import { databasePath } from './store.js';
import type { GatewayParts } from './tree.js';

export function registerGauges(p: GatewayParts): void {
  p.metrics.gauge('fs_gateway_devices_online', 'Devices online now, by connection', () => {
    const counts = { mqtt: 0, serial: 0 };
    for (const e of p.presence?.all() ?? []) if (e.online) counts[e.via ?? 'mqtt'] += 1;
    return [
      { labels: { via: 'mqtt' }, value: counts.mqtt },
      { labels: { via: 'serial' }, value: counts.serial },
    ];
  });
  p.metrics.gauge('fs_gateway_outbox_depth', 'Readings waiting in the outbox', () => [
    { labels: {}, value: p.outbox?.depth() ?? 0 },
  ]);
  p.metrics.gauge(
    'fs_gateway_outbox_bytes',
    'Bytes of readings in the outbox (the budget counts these)',
    () => [{ labels: {}, value: p.outbox?.sizeBytes() ?? 0 }],
  );
  p.metrics.gauge(
    'fs_gateway_outbox_oldest_age_seconds',
    'Age of the oldest reading in the outbox',
    () => {
      const oldest = p.outbox?.oldestRx();
      return [{ labels: {}, value: oldest === undefined ? 0 : (p.clock.now() - oldest) / 1000 }];
    },
  );
  p.metrics.gauge('fs_gateway_upstream_connected', '1 while the upstream connection is up', () => [
    { labels: {}, value: p.forwarder?.upstreamState() === 'connected' ? 1 : 0 },
  ]);
  p.metrics.gauge('fs_gateway_wal_bytes', 'Size of the SQLite write-ahead log file', () => [
    { labels: {}, value: walBytes(databasePath(p.dataDir)) },
  ]);
  p.metrics.gauge(
    'fs_gateway_memory_bytes',
    'Memory of the gateway process by kind (process.memoryUsage: rss, heapTotal, heapUsed, external, arrayBuffers)',
    () =>
      Object.entries(process.memoryUsage()).map(([kind, value]) => ({ labels: { kind }, value })),
  );
  p.metrics.gauge(
    'fs_gateway_child_restarts',
    'Restarts per supervised child of the gateway tree',
    () =>
      (p.supervisor?.status() ?? []).map((c) => ({ labels: { child: c.id }, value: c.restarts })),
  );
}
