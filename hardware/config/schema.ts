/**
 * JSON Schema of a device config (hardware/devices/<id>.json); the shape is DeviceConfig in
 * types.ts. Field-level rules live here; rules that tie fields to the board and the catalog
 * (pins, capabilities, addresses, intervals) are in wiring-checks.ts.
 */
import { LIMITS } from '../../contract/payloads.js';

const ms = (min: number, description: string) =>
  ({ type: 'integer', minimum: min, maximum: 86_400_000, description }) as const;

const partId = {
  type: 'string',
  pattern: '^[a-z0-9][a-z0-9_-]{0,31}$',
  description: 'lower-case letters, digits, _ and -, up to 32 characters',
} as const;

const params = {
  type: 'object',
  additionalProperties: { type: ['number', 'string', 'boolean'] },
} as const;

const pin = { type: 'string', minLength: 1, maxLength: 16 } as const;

const sensor = {
  type: 'object',
  additionalProperties: false,
  required: ['id', 'part'],
  properties: {
    id: partId,
    part: { type: 'string', minLength: 1 },
    pin,
    address: { type: 'integer', minimum: 0x03, maximum: 0x77 },
    bus: { type: 'integer', minimum: 0, maximum: 16 },
    sampleMs: ms(10, 'sampling period'),
    deadband: { type: 'number', minimum: 0 },
    minReportMs: ms(0, 'never report more often than this'),
    maxReportMs: ms(1000, 'report at least this often'),
    params,
  },
} as const;

const actuator = {
  type: 'object',
  additionalProperties: false,
  required: ['id', 'part', 'pin'],
  properties: {
    id: partId,
    part: { type: 'string', minLength: 1 },
    pin,
    initial: { type: ['number', 'boolean'] },
    params,
  },
} as const;

export const deviceConfigSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['id', 'board', 'sensors', 'actuators'],
  properties: {
    $schema: { type: 'string' },
    id: {
      type: 'string',
      pattern: '^[a-z0-9][a-z0-9-]{0,62}$',
      description: 'lower-case letters, digits and -, up to 63 characters',
    },
    name: { type: 'string', minLength: 1, maxLength: LIMITS.maxStringLength },
    board: { type: 'string', minLength: 1 },
    sensors: { type: 'array', maxItems: LIMITS.maxPartsPerDevice, items: sensor },
    actuators: { type: 'array', maxItems: LIMITS.maxPartsPerDevice, items: actuator },
    reporting: {
      type: 'object',
      additionalProperties: false,
      properties: {
        minReportMs: ms(0, 'never report more often than this'),
        maxReportMs: ms(1000, 'report at least this often'),
      },
    },
    bufferSize: { type: 'integer', minimum: 1, maximum: 100_000 },
    network: {
      type: 'object',
      additionalProperties: false,
      properties: {
        wifi: {
          type: 'object',
          additionalProperties: false,
          required: ['ssid', 'password'],
          properties: {
            ssid: { type: 'string', minLength: 1, maxLength: 32 },
            password: { type: 'string', maxLength: 63 },
          },
        },
      },
    },
    broker: {
      type: 'object',
      additionalProperties: false,
      required: ['url'],
      properties: {
        url: {
          type: 'string',
          pattern: '^(mqtt|mqtts|ws|wss|tcp)://[^\\s/:]+(:\\d{1,5})?(/\\S*)?$',
          description: 'mqtt://host:port, mqtts://, ws://, wss:// or tcp://',
        },
        username: { type: 'string', maxLength: 64 },
        password: { type: 'string', maxLength: 128 },
        keepaliveS: { type: 'integer', minimum: 5, maximum: 3600 },
      },
    },
    simulation: {
      type: 'object',
      additionalProperties: false,
      properties: {
        seed: { type: 'integer' },
        world: { type: 'object', additionalProperties: { type: 'number' } },
      },
    },
  },
} as const;
