/**
 * JSON Schemas (draft 2020-12 subset understood by Ajv) for every device-side payload.
 * Shapes match payloads.ts; limits come from LIMITS.
 */
import { LIMITS, OFFLINE_REASONS } from './payloads.js';
import { PART_ID_PATTERN } from './topics.js';

const timestamp = { type: 'integer', minimum: 0, maximum: 8.64e15 } as const;
const counter = { type: 'integer', minimum: 0, maximum: Number.MAX_SAFE_INTEGER } as const;
const shortString = { type: 'string', minLength: 1, maxLength: LIMITS.maxStringLength } as const;
const partId = { type: 'string', pattern: PART_ID_PATTERN.source } as const;

const sensorInfo = {
  type: 'object',
  required: ['id', 'kind', 'unit'],
  additionalProperties: false,
  properties: {
    id: partId,
    kind: shortString,
    unit: { type: 'string', maxLength: LIMITS.maxStringLength },
  },
} as const;

const actuatorInfo = {
  type: 'object',
  required: ['id', 'kind'],
  additionalProperties: false,
  properties: { id: partId, kind: shortString },
} as const;

/** What both forms of a birth start with. */
const birthHeader = {
  online: { const: true },
  ts: timestamp,
  boot: counter,
  fw: shortString,
  board: shortString,
} as const;

export const birthSchema = {
  $id: 'fs/v1/birth',
  type: 'object',
  required: ['online', 'ts', 'boot', 'fw', 'board', 'sensors', 'actuators'],
  additionalProperties: false,
  properties: {
    ...birthHeader,
    sensors: { type: 'array', maxItems: LIMITS.maxPartsPerDevice, items: sensorInfo },
    actuators: { type: 'array', maxItems: LIMITS.maxPartsPerDevice, items: actuatorInfo },
  },
} as const;

/** The catalog form of a birth (PartsBirth): `parts` instead of `sensors` and `actuators`. */
export const partsBirthSchema = {
  $id: 'fs/v1/parts-birth',
  type: 'object',
  required: ['online', 'ts', 'boot', 'fw', 'board', 'parts'],
  additionalProperties: false,
  properties: {
    ...birthHeader,
    parts: {
      type: 'object',
      maxProperties: LIMITS.maxPartsPerDevice,
      propertyNames: { pattern: PART_ID_PATTERN.source },
      additionalProperties: shortString,
    },
  },
} as const;

export const offlineSchema = {
  $id: 'fs/v1/offline',
  type: 'object',
  required: ['online', 'reason'],
  additionalProperties: false,
  properties: {
    online: { const: false },
    reason: { enum: [...OFFLINE_REASONS] },
    ts: timestamp,
  },
} as const;

export const telemetrySchema = {
  $id: 'fs/v1/telemetry',
  type: 'object',
  required: ['seq', 'boot', 'ts', 'readings'],
  additionalProperties: false,
  properties: {
    seq: counter,
    boot: counter,
    ts: timestamp,
    readings: {
      type: 'object',
      minProperties: 1,
      maxProperties: LIMITS.maxReadingsPerMessage,
      propertyNames: { pattern: PART_ID_PATTERN.source },
      additionalProperties: { type: ['number', 'boolean'] },
    },
    historical: { const: true },
  },
} as const;

export const commandSchema = {
  $id: 'fs/v1/cmd',
  type: 'object',
  required: ['id', 'name', 'args'],
  additionalProperties: false,
  properties: {
    id: shortString,
    name: { type: 'string', pattern: '^[a-z][a-z0-9-]{0,31}$' },
    args: { type: 'object' },
  },
} as const;

export const ackSchema = {
  $id: 'fs/v1/ack',
  type: 'object',
  required: ['id', 'ok'],
  properties: {
    id: shortString,
    ok: { type: 'boolean' },
    result: {},
    error: { type: 'string', minLength: 1, maxLength: LIMITS.maxErrorLength },
  },
  additionalProperties: false,
  if: { properties: { ok: { const: false } } },
  // A failed ack carries an error and no result; a successful one carries no error.
  // biome-ignore lint/suspicious/noThenProperty: JSON Schema's if/then/else keywords, not a thenable.
  then: { required: ['error'], properties: { result: false } },
  else: { properties: { error: false } },
} as const;

export const sysSchema = {
  $id: 'fs/v1/sys',
  type: 'object',
  required: ['ts', 'boot', 'uptimeMs', 'memory', 'bufferDropped'],
  additionalProperties: false,
  properties: {
    ts: timestamp,
    boot: counter,
    uptimeMs: counter,
    memory: {
      type: 'object',
      required: ['free', 'total', 'unit'],
      additionalProperties: false,
      properties: { free: counter, total: counter, unit: { enum: ['bytes', 'vars'] } },
    },
    bufferDropped: counter,
  },
} as const;
