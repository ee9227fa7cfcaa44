/**
 * Gateway ↔ backend payloads (topics in topics.ts: `fs/gw/v1/<gateway>/<kind>`).
 * The backend is Node-RED in the all-in-one setup, or anything that speaks MQTT.
 */
import type { Ack, Birth, OfflineReason, ReadingValue } from './payloads.js';

/** One accepted device telemetry message, as the gateway forwards it. */
export interface ForwardedTelemetry {
  device: string;
  boot: number;
  seq: number;
  /** Device clock, ms since the epoch. */
  ts: number;
  /** Gateway receive time, ms since the epoch (device-to-backend latency is measured from it). */
  rx: number;
  readings: Record<string, ReadingValue>;
  historical?: true;
}

/** `telemetry` (QoS 1): a batch, in order per device. Duplicates are possible (at-least-once). */
export interface TelemetryBatch {
  gateway: string;
  items: ForwardedTelemetry[];
}

export interface PresenceEntry {
  device: string;
  online: boolean;
  /** Why the device is offline; absent while online. */
  reason?: OfflineReason;
  /** When this state began, ms since the epoch. */
  since: number;
  /** The last birth the device sent, if any (board, firmware, parts). */
  birth?: Birth;
  /** How the device is connected. */
  via?: 'mqtt' | 'serial';
}

/** `presence` (QoS 1): joins and leaves as they happen. */
export interface PresenceDiff {
  type: 'diff';
  gateway: string;
  ts: number;
  changes: PresenceEntry[];
}

/** `devices` (QoS 1, retained): the whole presence state, sent on every (re)connect and start. */
export interface PresenceFull {
  type: 'full';
  gateway: string;
  ts: number;
  devices: PresenceEntry[];
}

/** `cmd` (backend → gateway): a command for one device. */
export interface UpstreamCommand {
  device: string;
  id: string;
  name: string;
  args: Record<string, unknown>;
  /** How long the backend waits for the ack (default 10 s). */
  timeoutMs?: number;
  /** How long the gateway keeps it for an offline device (default 0: fail at once). */
  ttlMs?: number;
}

/** `ack` (gateway → backend): the device's ack, or the gateway's own failure (`timeout`, `offline`…). */
export interface UpstreamAck {
  device: string;
  ack: Ack;
}
