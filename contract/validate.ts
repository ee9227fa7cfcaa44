/**
 * The contract's validator, used at the gateway's edge (and by tests and flows).
 * Every rejection carries a reason code (counted per device by the gateway) and a detail
 * that says what was wrong, where, and what is allowed.
 */
import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';
import type {
  Ack,
  Birth,
  Command,
  PartCatalog,
  PartsBirth,
  Status,
  SysReport,
  Telemetry,
} from './payloads.js';
import { channelId, LIMITS } from './payloads.js';
import {
  ackSchema,
  birthSchema,
  commandSchema,
  offlineSchema,
  partsBirthSchema,
  sysSchema,
  telemetrySchema,
} from './schemas.js';
import { type DeviceTopicKind, parseDeviceTopic } from './topics.js';

/** Why a message was refused. `unknown-sensor`, `rate` and `duplicate` are decided by the gateway. */
export const REJECT_REASONS = [
  'topic',
  'forbidden',
  'oversized',
  'not-json',
  'schema',
  'unknown-sensor',
  'rate',
  'duplicate',
] as const;
export type RejectReason = (typeof REJECT_REASONS)[number];

export type Rejection = { ok: false; reason: RejectReason; detail: string };
export type Accepted<T> = { ok: true; value: T };
export type Checked<T> = Accepted<T> | Rejection;

export type DeviceMessage =
  | { deviceId: string; kind: 'status'; payload: Status }
  | { deviceId: string; kind: 'telemetry'; payload: Telemetry }
  | { deviceId: string; kind: 'ack'; payload: Ack }
  | { deviceId: string; kind: 'sys'; payload: SysReport }
  | { deviceId: string; kind: 'cmd'; payload: Command };

const ajv = new Ajv({
  allErrors: false,
  strict: true,
  strictRequired: false,
  allowUnionTypes: true,
});
const validators = {
  birth: ajv.compile(birthSchema),
  partsBirth: ajv.compile(partsBirthSchema),
  offline: ajv.compile(offlineSchema),
  telemetry: ajv.compile(telemetrySchema),
  cmd: ajv.compile(commandSchema),
  ack: ajv.compile(ackSchema),
  sys: ajv.compile(sysSchema),
};

/** Turns Ajv's first error into one sentence: where, what was wrong, what is allowed. */
export function describeSchemaError(error: ErrorObject | undefined, value: unknown): string {
  if (!error) return 'payload does not match the schema';
  const where = error.instancePath === '' ? 'payload' : `field ${error.instancePath.slice(1)}`;
  const p = error.params as Record<string, unknown>;
  if (error.propertyName !== undefined) {
    return `${where} has a key "${error.propertyName}" that is not a valid part id (${String(p.pattern ?? 'see the schema')})`;
  }
  switch (error.keyword) {
    case 'required':
      return `${where} is missing required property "${String(p.missingProperty)}"`;
    case 'additionalProperties':
      return `${where} has unknown property "${String(p.additionalProperty)}"`;
    case 'type':
      return `${where} is ${describeValue(pick(value, error.instancePath))}, expected ${String(p.type)}`;
    case 'const':
      return `${where} must be ${JSON.stringify(p.allowedValue)}`;
    case 'enum':
      return `${where} is ${describeValue(pick(value, error.instancePath))}, allowed: ${(p.allowedValues as unknown[]).map((v) => JSON.stringify(v)).join(', ')}`;
    case 'pattern':
      return `${where} is ${describeValue(pick(value, error.instancePath))}, which does not match ${String(p.pattern)}`;
    case 'propertyNames':
      return `${where} has a key "${String(p.propertyName)}" that is not a valid part id`;
    case 'false schema':
      return `${where} is not allowed here`;
    default:
      return `${where} ${error.message ?? 'is invalid'}`;
  }
}

function pick(value: unknown, pointer: string): unknown {
  let current = value;
  for (const key of pointer.split('/').slice(1)) {
    if (current === null || typeof current !== 'object') return undefined;
    current = (current as Record<string, unknown>)[key.replace(/~1/g, '/').replace(/~0/g, '~')];
  }
  return current;
}

function describeValue(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'string') return `the string ${JSON.stringify(value.slice(0, 40))}`;
  if (typeof value === 'object') return 'an object';
  return `${typeof value} ${String(value)}`;
}

function check<T>(validate: ValidateFunction, value: unknown): Checked<T> {
  if (validate(value)) return { ok: true, value: value as T };
  return { ok: false, reason: 'schema', detail: describeSchemaError(validate.errors?.[0], value) };
}

/** Parses bytes as JSON with the size limit; the first step for every payload kind. */
export function parseJson(payload: Uint8Array | string): Checked<unknown> {
  const size = typeof payload === 'string' ? Buffer.byteLength(payload) : payload.byteLength;
  if (size > LIMITS.maxPayloadBytes) {
    return {
      ok: false,
      reason: 'oversized',
      detail: `payload is ${size} bytes, the limit is ${LIMITS.maxPayloadBytes}`,
    };
  }
  const text =
    typeof payload === 'string'
      ? payload
      : Buffer.isBuffer(payload)
        ? payload.toString('utf8')
        : // A view on the same bytes: Buffer.from(payload) would copy them.
          Buffer.from(payload.buffer, payload.byteOffset, payload.byteLength).toString('utf8');
  try {
    return { ok: true, value: JSON.parse(text) };
  } catch (error) {
    return {
      ok: false,
      reason: 'not-json',
      detail: `payload is not JSON: ${(error as Error).message}`,
    };
  }
}

/**
 * A birth in catalog form (PartsBirth) expanded with the catalog into the usual one: each
 * sensor part into its readings (named as the firmware names them, channelId), each actuator
 * part into an actuator of that kind, in the order the device listed them.
 */
export function expandPartsBirth(birth: PartsBirth, catalog: PartCatalog): Checked<Birth> {
  const sensors: Birth['sensors'] = [];
  const actuators: Birth['actuators'] = [];
  for (const id of Object.keys(birth.parts)) {
    const name = birth.parts[id] as string;
    const part = catalog(name);
    if (part === undefined) {
      return {
        ok: false,
        reason: 'schema',
        detail: `field parts.${id} is ${JSON.stringify(name)}, which is not a part in the gateway's catalog (hardware/catalog)`,
      };
    }
    if (part.category === 'actuator') actuators.push({ id, kind: name });
    else
      for (const c of part.channels)
        sensors.push({ id: channelId(id, c.suffix), kind: c.kind, unit: c.unit });
  }
  if (sensors.length > LIMITS.maxPartsPerDevice) {
    return {
      ok: false,
      reason: 'schema',
      detail: `field parts names ${sensors.length} readings, the limit is ${LIMITS.maxPartsPerDevice}`,
    };
  }
  const { online, ts, boot, fw, board } = birth;
  return { ok: true, value: { online, ts, boot, fw, board, sensors, actuators } };
}

/** A status payload: a birth (either form; the catalog form needs `catalog`) or offline. */
export function checkStatus(value: unknown, catalog?: PartCatalog): Checked<Status> {
  const online = (value as { online?: unknown } | null)?.online;
  if (online === true && typeof value === 'object' && value !== null && 'parts' in value) {
    const checked = check<PartsBirth>(validators.partsBirth, value);
    if (!checked.ok) return checked;
    if (catalog === undefined) {
      return {
        ok: false,
        reason: 'schema',
        detail:
          "a birth in catalog form (field parts) needs the gateway's part catalog to expand it",
      };
    }
    return expandPartsBirth(checked.value, catalog);
  }
  if (online === true) return check<Status>(validators.birth, value);
  if (online === false) return check<Status>(validators.offline, value);
  return {
    ok: false,
    reason: 'schema',
    detail: `field online is ${describeValue(online)}, expected true (a birth) or false (offline)`,
  };
}
export const checkTelemetry = (value: unknown): Checked<Telemetry> =>
  check(validators.telemetry, value);
export const checkCommand = (value: unknown): Checked<Command> => check(validators.cmd, value);
export const checkAck = (value: unknown): Checked<Ack> => check(validators.ack, value);
export const checkSys = (value: unknown): Checked<SysReport> => check(validators.sys, value);

const checkers: Record<
  DeviceTopicKind,
  (value: unknown, catalog?: PartCatalog) => Checked<unknown>
> = {
  status: checkStatus,
  telemetry: checkTelemetry,
  cmd: checkCommand,
  ack: checkAck,
  sys: checkSys,
};

/** Validates one MQTT message against the contract: topic, size, JSON, then schema. */
export function parseDeviceMessage(
  topic: string,
  payload: Uint8Array | string,
  catalog?: PartCatalog,
): Checked<DeviceMessage> {
  const parsedTopic = parseDeviceTopic(topic);
  if (!parsedTopic.ok) return { ok: false, reason: 'topic', detail: parsedTopic.detail };
  return parseDevicePayload(parsedTopic, payload, catalog);
}

/** parseDeviceMessage for a topic already split (the gateway splits it once, for the ACL).
 *  `catalog` expands a birth in catalog form; without it such a birth is refused. */
export function parseDevicePayload(
  parsedTopic: { deviceId: string; kind: DeviceTopicKind },
  payload: Uint8Array | string,
  catalog?: PartCatalog,
): Checked<DeviceMessage> {
  const json = parseJson(payload);
  if (!json.ok) return json;
  const checked = checkers[parsedTopic.kind](json.value, catalog);
  if (!checked.ok) return checked;
  return {
    ok: true,
    value: {
      deviceId: parsedTopic.deviceId,
      kind: parsedTopic.kind,
      payload: checked.value,
    } as DeviceMessage,
  };
}

/** The gateway-side check a schema cannot do: every reading names a sensor from the birth. */
export function findUnknownSensor(
  telemetry: Telemetry,
  knownSensorIds: ReadonlySet<string> | readonly string[],
): string | undefined {
  const known = knownSensorIds instanceof Set ? knownSensorIds : new Set(knownSensorIds);
  for (const id in telemetry.readings) if (!known.has(id)) return id;
  return undefined;
}
