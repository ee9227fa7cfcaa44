/**
 * The gateway's settings: one source of defaults, one JSON config file, environment
 * overrides, all validated with errors that name the field, the bad value and what is allowed.
 */
import { existsSync, readFileSync } from 'node:fs';
import { Ajv, type ErrorObject } from 'ajv';
import { GATEWAY_ID_PATTERN } from '../contract/index.js';

export type OutboxPolicy = 'drop-oldest' | 'reject-new';

export interface GatewaySettings {
  gatewayId: string;
  ingest: {
    /** Sustained messages per second one device may send (token bucket rate). */
    ratePerSecond: number;
    /** Messages a device may send in a burst above the rate. */
    burst: number;
    /** How many (boot, seq) keys per device are remembered for duplicate detection. */
    dedupeWindow: number;
  };
  deadLetters: { max: number };
  outbox: {
    /** Bytes of queued readings kept on disk at most. */
    budgetBytes: number;
    policy: OutboxPolicy;
    /** SQLite synchronous mode: FULL survives power loss, NORMAL only a process crash. */
    synchronous: 'FULL' | 'NORMAL';
    /** Most readings written in one transaction. */
    maxBatch: number;
    /**
     * Under FULL, the shortest time between two disk syncs while they follow each other: more
     * readings share a sync (less CPU, less wear on an SD card), each PUBACK may wait that long.
     */
    syncIntervalMs: number;
  };
  forwarder: {
    /** Telemetry batches published upstream and not yet acknowledged, at most. */
    window: number;
    /** Readings per upstream telemetry batch, at most. */
    maxBatch: number;
    /** Upstream reconnect delay. */
    reconnectMs: number;
  };
  commands: { defaultTimeoutMs: number; maxTtlMs: number };
  serial: {
    /** Look for USB Firmata boards. */
    enabled: boolean;
    /** How often the port list is read, for plug and unplug. */
    scanMs: number;
    /** The boards to host: a port path (a /dev/serial/by-id name survives replugging) and the device config file. */
    boards: Array<{ port: string; device: string }>;
  };
  /** Who may connect without credentials: `auto` is Mosquitto 2.0 (only when on loopback). */
  anonymous: 'auto' | 'never';
}

export const DEFAULT_SETTINGS: GatewaySettings = {
  gatewayId: 'local',
  ingest: { ratePerSecond: 500, burst: 1000, dedupeWindow: 1024 },
  deadLetters: { max: 1000 },
  outbox: {
    budgetBytes: 256 * 1024 * 1024,
    policy: 'drop-oldest',
    synchronous: 'FULL',
    maxBatch: 2000,
    syncIntervalMs: 5,
  },
  forwarder: { window: 8, maxBatch: 500, reconnectMs: 1000 },
  commands: { defaultTimeoutMs: 10_000, maxTtlMs: 24 * 3600 * 1000 },
  serial: { enabled: true, scanMs: 250, boards: [] },
  anonymous: 'auto',
};

const int = (minimum: number, maximum = Number.MAX_SAFE_INTEGER) => ({
  type: 'integer',
  minimum,
  maximum,
});

const settingsSchema = {
  type: 'object',
  additionalProperties: false,
  properties: {
    gatewayId: { type: 'string', pattern: GATEWAY_ID_PATTERN.source },
    ingest: {
      type: 'object',
      additionalProperties: false,
      properties: { ratePerSecond: int(1), burst: int(1), dedupeWindow: int(16, 1_000_000) },
    },
    deadLetters: {
      type: 'object',
      additionalProperties: false,
      properties: { max: int(1, 1_000_000) },
    },
    outbox: {
      type: 'object',
      additionalProperties: false,
      properties: {
        budgetBytes: int(1024),
        policy: { enum: ['drop-oldest', 'reject-new'] },
        synchronous: { enum: ['FULL', 'NORMAL'] },
        maxBatch: int(1, 100_000),
        syncIntervalMs: int(0, 1000),
      },
    },
    forwarder: {
      type: 'object',
      additionalProperties: false,
      properties: { window: int(1, 1000), maxBatch: int(1, 10_000), reconnectMs: int(10, 600_000) },
    },
    commands: {
      type: 'object',
      additionalProperties: false,
      properties: { defaultTimeoutMs: int(1, 3_600_000), maxTtlMs: int(0) },
    },
    serial: {
      type: 'object',
      additionalProperties: false,
      properties: {
        enabled: { type: 'boolean' },
        scanMs: int(20, 60_000),
        boards: {
          type: 'array',
          items: {
            type: 'object',
            additionalProperties: false,
            required: ['port', 'device'],
            properties: {
              port: { type: 'string', minLength: 1 },
              device: { type: 'string', minLength: 1 },
            },
          },
        },
      },
    },
    anonymous: { enum: ['auto', 'never'] },
  },
} as const;

const validate = new Ajv({ allErrors: false, strict: true }).compile(settingsSchema);

export type PartialSettings = {
  [K in keyof GatewaySettings]?: GatewaySettings[K] extends object
    ? Partial<GatewaySettings[K]>
    : GatewaySettings[K];
};

function describe(error: ErrorObject | undefined, source: string, value: unknown): string {
  if (!error) return `${source}: invalid settings`;
  const path = error.instancePath.slice(1).replace(/\//g, '.');
  const where = path ? `field ${path}` : 'the settings';
  const p = error.params as Record<string, unknown>;
  let actual: unknown = value;
  for (const key of error.instancePath.split('/').slice(1)) {
    actual = (actual as Record<string, unknown> | undefined)?.[key];
  }
  const shown = JSON.stringify(actual);
  switch (error.keyword) {
    case 'additionalProperties':
      return `${source}: ${where} has unknown property "${String(p.additionalProperty)}" (allowed: ${Object.keys(
        pickSchema(error.instancePath),
      ).join(', ')})`;
    case 'enum':
      return `${source}: ${where} is ${shown}; allowed: ${(p.allowedValues as unknown[]).map((v) => JSON.stringify(v)).join(', ')}`;
    case 'minimum':
    case 'maximum':
      return `${source}: ${where} is ${shown}; allowed: ${error.message}`;
    case 'pattern':
      return `${source}: ${where} is ${shown}; allowed: a value matching ${String(p.pattern)}`;
    default:
      return `${source}: ${where} is ${shown}; ${error.message ?? 'invalid'}`;
  }
}

function pickSchema(pointer: string): Record<string, unknown> {
  let node: { properties?: Record<string, unknown> } = settingsSchema;
  for (const key of pointer.split('/').slice(1)) {
    node = (node.properties?.[key] ?? {}) as typeof node;
  }
  return node.properties ?? {};
}

/** Checks one layer of settings (a file or the environment); throws a precise error. */
export function checkSettings(value: unknown, source: string): PartialSettings {
  if (!validate(value)) throw new Error(describe(validate.errors?.[0], source, value));
  return value as PartialSettings;
}

export function mergeSettings(...layers: PartialSettings[]): GatewaySettings {
  const out = structuredClone(DEFAULT_SETTINGS) as unknown as Record<string, unknown>;
  for (const layer of layers) {
    for (const [key, value] of Object.entries(layer)) {
      if (value === undefined) continue;
      if (typeof value === 'object' && value !== null) {
        out[key] = { ...(out[key] as object), ...value };
      } else out[key] = value;
    }
  }
  return out as unknown as GatewaySettings;
}

export function readSettingsFile(path: string): PartialSettings {
  if (!existsSync(path)) throw new Error(`config file ${path} does not exist`);
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(path, 'utf8'));
  } catch (error) {
    throw new Error(`config file ${path} is not valid JSON: ${(error as Error).message}`);
  }
  return checkSettings(parsed, `config file ${path}`);
}

/** Environment overrides: FULLSTACK_GATEWAY_<SECTION>_<FIELD>, e.g. FULLSTACK_GATEWAY_OUTBOX_POLICY. */
export function settingsFromEnv(env: NodeJS.ProcessEnv): PartialSettings {
  const layer: Record<string, unknown> = {};
  const prefix = 'FULLSTACK_GATEWAY_';
  for (const [name, raw] of Object.entries(env)) {
    if (!name.startsWith(prefix) || raw === undefined) continue;
    const rest = name.slice(prefix.length).toLowerCase();
    if (rest === 'id' || rest === 'anonymous') {
      const key = rest === 'id' ? 'gatewayId' : 'anonymous';
      checkSettings({ [key]: raw }, `environment ${name}`);
      layer[key] = raw;
      continue;
    }
    const [section, ...fieldParts] = rest.split('_');
    const sectionKey = section === 'deadletters' ? 'deadLetters' : (section as string);
    const defaults = (DEFAULT_SETTINGS as unknown as Record<string, Record<string, unknown>>)[
      sectionKey
    ];
    if (!defaults || typeof defaults !== 'object' || fieldParts.length === 0) continue;
    const field = Object.keys(defaults).find((k) => k.toLowerCase() === fieldParts.join(''));
    if (!field) {
      throw new Error(
        `environment ${name}: ${sectionKey} has no field "${fieldParts.join('_')}" (allowed: ${Object.keys(defaults).join(', ')})`,
      );
    }
    const sample = defaults[field];
    let value: unknown = raw;
    if (typeof sample === 'number') {
      if (!/^-?\d+$/.test(raw.trim())) {
        throw new Error(`environment ${name}=${JSON.stringify(raw)}: not an integer`);
      }
      value = Number(raw);
    } else if (typeof sample === 'boolean') {
      if (raw !== 'true' && raw !== 'false') {
        throw new Error(`environment ${name}=${JSON.stringify(raw)}: allowed: true, false`);
      }
      value = raw === 'true';
    }
    // Checked one variable at a time, so the error names the variable.
    checkSettings({ [sectionKey]: { [field]: value } }, `environment ${name}`);
    layer[sectionKey] = { ...(layer[sectionKey] as object), [field]: value };
  }
  return checkSettings(layer, 'environment');
}

/** Defaults < config file < environment < explicit overrides. */
export function loadSettings(options: {
  file?: string;
  env?: NodeJS.ProcessEnv;
  overrides?: PartialSettings;
}): GatewaySettings {
  const layers: PartialSettings[] = [];
  if (options.file) layers.push(readSettingsFile(options.file));
  if (options.env) layers.push(settingsFromEnv(options.env));
  if (options.overrides) layers.push(checkSettings(options.overrides, 'options'));
  return mergeSettings(...layers);
}
