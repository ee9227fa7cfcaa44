/**
 * The event loop's own health, for /metrics: how busy it is and how late it runs. Every
 * device waits on this one loop (parsing, validation, commits, PUBACKs), so a stall here is
 * what a device sees as a slow acknowledgement: this is where a 99th percentile comes from.
 *
 * - `fs_gateway_event_loop_busy_seconds_total`: time the loop spent working, not waiting
 *   (performance.eventLoopUtilization); its rate is the loop's utilization.
 * - `fs_gateway_event_loop_delay_ms`: a histogram of how late a 10 ms timer fires, i.e. how
 *   long anything that became ready had to wait for the loop.
 * - `fs_gateway_gc_pause_ms`: V8's garbage collection pauses, by kind (minor: scavenge of the
 *   young generation; major: mark-compact of the old one).
 */
import { constants, PerformanceObserver, performance } from 'node:perf_hooks';
import type { Metrics } from './metrics.js';

const TICK_MS = 10;

/** Real timers, not the gateway's Clock: it is the real loop that is measured. */
export function monitorEventLoop(metrics: Metrics): { stop(): void } {
  const start = performance.eventLoopUtilization();
  metrics.gauge(
    'fs_gateway_event_loop_busy_seconds_total',
    'Seconds the event loop spent working since the gateway started',
    () => [{ labels: {}, value: performance.eventLoopUtilization(start).active / 1000 }],
  );
  const delay = metrics.histogram(
    'fs_gateway_event_loop_delay_ms',
    `How late a ${TICK_MS} ms timer fired, milliseconds`,
    [1, 2, 5, 10, 20, 50, 100, 200, 500, 1000],
  );
  let expected = performance.now() + TICK_MS;
  const timer = setInterval(() => {
    const now = performance.now();
    delay.observe(Math.max(0, now - expected));
    expected = now + TICK_MS;
  }, TICK_MS);
  // It must not keep the process alive by itself.
  timer.unref();
  const buckets = [0.5, 1, 2, 5, 10, 20, 50, 100, 200, 500, 1000];
  const pauses = {
    minor: metrics.histogram(
      'fs_gateway_gc_minor_pause_ms',
      'Young-generation GC pauses, milliseconds',
      buckets,
    ),
    major: metrics.histogram(
      'fs_gateway_gc_major_pause_ms',
      'Old-generation GC pauses, milliseconds',
      buckets,
    ),
  };
  const gc = new PerformanceObserver((list) => {
    for (const entry of list.getEntries()) {
      const kind = (entry as { detail?: { kind?: number } }).detail?.kind;
      (kind === constants.NODE_PERFORMANCE_GC_MINOR ? pauses.minor : pauses.major).observe(
        entry.duration,
      );
    }
  });
  gc.observe({ entryTypes: ['gc'] });
  return {
    stop: () => {
      clearInterval(timer);
      gc.disconnect();
    },
  };
}
