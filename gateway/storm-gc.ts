/**
 * One full garbage collection once a connection storm is over.
 *
 * Thousands of devices connecting at once (a gateway restart, a network coming back) leave
 * megabytes of garbage in V8's old generation: handshake and subscription objects that lived
 * just long enough to be promoted, and the large presence states sent upstream meanwhile. An
 * idle gateway allocates too little to start a major GC, so V8 keeps that garbage, and the
 * process's resident memory with it, indefinitely (measured: about 6 KiB per device at 10,000
 * idle devices, a third of the gateway's memory per device). On a Raspberry Pi that memory
 * is Node-RED's. So when at least `minConnections` devices connected, then none for
 * `quietMs`, and the event loop is idle (busy less than `maxBusy` of the last second), the
 * gateway asks V8 for one full collection (the inspector's HeapProfiler.collectGarbage: no
 * flag needed). It pauses the loop once (368 ms with 10,000 devices here), which is why it
 * waits for a quiet loop: under load V8 collects on its own and nobody should wait for this.
 */
import { Session } from 'node:inspector';
import { performance } from 'node:perf_hooks';

export interface StormGcOptions {
  minConnections?: number;
  quietMs?: number;
  /** The share of the last second the loop may have been busy (0..1). */
  maxBusy?: number;
  onCollected?: (ms: number) => void;
}

export function collectAfterStorms(options: StormGcOptions = {}): {
  connected(): void;
  stop(): void;
} {
  const minConnections = options.minConnections ?? 500;
  const quietMs = options.quietMs ?? 5000;
  const maxBusy = options.maxBusy ?? 0.2;
  let count = 0;
  let last = 0;
  let elu = performance.eventLoopUtilization();
  const timer = setInterval(
    () => {
      const busy = performance.eventLoopUtilization(elu).utilization;
      elu = performance.eventLoopUtilization();
      if (count < minConnections || Date.now() - last < quietMs || busy > maxBusy) return;
      count = 0;
      const session = new Session();
      session.connect();
      const t0 = performance.now();
      session.post('HeapProfiler.collectGarbage', () => {
        options.onCollected?.(performance.now() - t0);
        // Not from inside the session's own callback: disconnecting there never returns.
        setImmediate(() => session.disconnect());
      });
    },
    Math.min(1000, quietMs),
  );
  timer.unref();
  return {
    connected() {
      count += 1;
      last = Date.now();
    },
    stop: () => clearInterval(timer),
  };
}
