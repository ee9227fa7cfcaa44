/** Builders for the gateway's upstream messages, typed by the contract, for flow tests. */
import type {
  Birth,
  ForwardedTelemetry,
  PresenceDiff,
  PresenceEntry,
  PresenceFull,
  TelemetryBatch,
} from '../../contract/index.js';

export const GATEWAY = 'gw-test';

export function birth(overrides: Partial<Birth> = {}): Birth {
  return {
    online: true,
    ts: Date.now(),
    boot: 1,
    fw: 'fullstack-fw 0.1.0',
    board: 'uno',
    sensors: [
      { id: 'temperature', kind: 'temperature', unit: '°C' },
      { id: 'light', kind: 'light', unit: 'lx' },
    ],
    actuators: [{ id: 'led', kind: 'led' }],
    ...overrides,
  };
}

export function online(device: string, extra: Partial<PresenceEntry> = {}): PresenceEntry {
  return { device, online: true, since: Date.now(), birth: birth(), via: 'mqtt', ...extra };
}

export function full(devices: PresenceEntry[], gateway = GATEWAY): PresenceFull {
  return { type: 'full', gateway, ts: Date.now(), devices };
}

export function diff(changes: PresenceEntry[], gateway = GATEWAY): PresenceDiff {
  return { type: 'diff', gateway, ts: Date.now(), changes };
}

let seq = 0;
export function reading(
  device: string,
  readings: ForwardedTelemetry['readings'],
  ts = Date.now(),
): ForwardedTelemetry {
  seq += 1;
  return { device, boot: 1, seq, ts, rx: ts, readings };
}

export function batch(items: ForwardedTelemetry[], gateway = GATEWAY): TelemetryBatch {
  return { gateway, items };
}
