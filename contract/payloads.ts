/**
 * Device contract v1: payload types, one per topic kind (the typed map from topic to payload).
 * The JSON Schemas in schemas.ts describe the same shapes; test/contract.test.ts keeps the two
 * in step by validating typed examples.
 */

export type ReadingValue = number | boolean;

export interface SensorInfo {
  id: string;
  kind: string;
  unit: string;
}

export interface ActuatorInfo {
  id: string;
  kind: string;
}

/** Why a device is (or went) offline. Every presence transition carries one. */
export const OFFLINE_REASONS = [
  'lost',
  'clean',
  'keepalive',
  'unplugged',
  'replaced',
  'gateway-stopping',
] as const;
export type OfflineReason = (typeof OFFLINE_REASONS)[number];

/** Retained on `status`: published by the device when it connects. */
export interface Birth {
  online: true;
  ts: number;
  boot: number;
  fw: string;
  board: string;
  sensors: SensorInfo[];
  actuators: ActuatorInfo[];
}

/**
 * A birth in catalog form, for a device too small to carry its parts' descriptions (an
 * Espruino bundle): each part id names its catalog part (`"env": "bme280"`), and the gateway,
 * which has the catalog, expands it into `sensors` and `actuators` (expandPartsBirth) before
 * anything else sees it, as Zigbee2MQTT turns a device's model into its exposes.
 */
export interface PartsBirth {
  online: true;
  ts: number;
  boot: number;
  fw: string;
  board: string;
  parts: Record<string, string>;
}

/** What a catalog says of one part: a sensor's readings (`suffix` null: the reading is named
 *  after the part), or an actuator. */
export type CatalogPart =
  | { category: 'sensor'; channels: { suffix: string | null; kind: string; unit: string }[] }
  | { category: 'actuator' };

/** The catalog, looked up by part name (hardware/catalog on Node). */
export type PartCatalog = (part: string) => CatalogPart | undefined;

/** The id of a sensor's reading: the sensor's own for a one-reading part, else `<id>_<suffix>`. */
export function channelId(sensorId: string, suffix: string | null): string {
  return suffix === null ? sensorId : `${sensorId}_${suffix}`;
}

/** Retained on `status`: the device's MQTT will (`reason: "lost"`) or its clean goodbye. */
export interface Offline {
  online: false;
  reason: OfflineReason;
  ts?: number;
}

export type Status = Birth | Offline;

/** On `telemetry`: one sample of one or more sensors. */
export interface Telemetry {
  seq: number;
  boot: number;
  ts: number;
  readings: Record<string, ReadingValue>;
  /** Set when the device replays readings it buffered while offline. */
  historical?: true;
}

/** On `cmd`: a request to the device. `id` is echoed in the ack. */
export interface Command {
  id: string;
  name: string;
  args: Record<string, unknown>;
}

export type Ack =
  | { id: string; ok: true; result?: unknown }
  | { id: string; ok: false; error: string };

/** On `sys`: the device's health report (memory, uptime, readings dropped while offline). */
export interface SysReport {
  ts: number;
  boot: number;
  uptimeMs: number;
  memory: { free: number; total: number; unit: 'bytes' | 'vars' };
  bufferDropped: number;
}

/** Commands every device runtime understands, with their arguments. */
export interface CommandArgs {
  set: { actuator: string; value: ReadingValue };
  interval: { sensor?: string; sampleMs?: number; minReportMs?: number; maxReportMs?: number };
  ping: Record<string, never>;
  reboot: Record<string, never>;
  /** Over-the-air update (firmware/ota/protocol.ts, docs/flashing.md): announce an image. */
  'ota-begin': { fw: string; size: number; sha256: string; chunks: number; chunkBytes: number };
  /** One chunk: base64 `data` and the sha256 of its bytes; refused when they differ. */
  'ota-chunk': { index: number; offset: number; data: string; sha256: string };
  /** Check the whole image, switch to it on trial (rolled back without a birth). */
  'ota-commit': { sha256: string };
  'ota-abort': Record<string, never>;
  /** What boots now: slot, fw, sha256, whether on trial, the last rollback. */
  'ota-status': Record<string, never>;
}
export type CommandName = keyof CommandArgs;

/** Limits enforced at the gateway's edge. */
export const LIMITS = {
  maxPayloadBytes: 16 * 1024,
  maxReadingsPerMessage: 64,
  maxPartsPerDevice: 64,
  maxStringLength: 64,
  maxErrorLength: 512,
} as const;
