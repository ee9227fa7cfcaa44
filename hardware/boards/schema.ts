/** JSON Schema of a board profile (profiles/*.json); the shape is BoardProfile in config/types.ts. */

const CAPABILITIES = [
  'digital-in',
  'digital-out',
  'analog-in',
  'pwm',
  'servo',
  'i2c-sda',
  'i2c-scl',
  'onewire',
  'uart-tx',
  'uart-rx',
] as const;

const name = { type: 'string', minLength: 1, maxLength: 16 } as const;
const names = { type: 'array', items: name } as const;

export const boardProfileSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['id', 'name', 'target', 'logicVolts', 'pins', 'power'],
  properties: {
    id: { type: 'string', pattern: '^[a-z0-9][a-z0-9-]{0,31}$' },
    name: { type: 'string', minLength: 1 },
    target: { enum: ['node-raspi', 'node-firmata', 'espruino'] },
    logicVolts: { enum: [3.3, 5] },
    adcBits: { type: 'integer', minimum: 8, maximum: 16 },
    adcVolts: { type: 'number', exclusiveMinimum: 0, maximum: 5 },
    espruinoVars: { type: 'integer', minimum: 500, maximum: 100000 },
    wifi: { type: 'boolean' },
    pins: {
      type: 'array',
      minItems: 1,
      items: {
        type: 'object',
        additionalProperties: false,
        required: ['name', 'id', 'capabilities'],
        properties: {
          name,
          id: { type: ['integer', 'string'] },
          header: { type: 'string' },
          capabilities: { type: 'array', items: { enum: CAPABILITIES }, uniqueItems: true },
          analogChannel: { type: 'integer', minimum: 0 },
          volts: { enum: [3.3, 5] },
          note: { type: 'string' },
          aliases: names,
        },
      },
    },
    i2c: {
      type: 'array',
      items: {
        type: 'object',
        additionalProperties: false,
        required: ['sda', 'scl'],
        properties: {
          sda: name,
          scl: name,
          bus: { type: 'integer', minimum: 0 },
          pullupOhms: { type: 'integer', minimum: 100 },
        },
      },
    },
    onewire: names,
    power: {
      type: 'object',
      additionalProperties: false,
      required: ['gnd'],
      properties: { v33: names, v5: names, gnd: { ...names, minItems: 1 } },
    },
    usb: {
      type: 'object',
      additionalProperties: false,
      required: ['vendorIds'],
      properties: {
        vendorIds: { type: 'array', items: { type: 'string', pattern: '^[0-9a-f]{4}$' } },
        productIds: { type: 'array', items: { type: 'string', pattern: '^[0-9a-f]{4}$' } },
      },
    },
    layout: {
      type: 'object',
      additionalProperties: false,
      required: ['left', 'right'],
      properties: { left: names, right: names },
    },
    sources: { type: 'array', items: { type: 'string' } },
    notes: { type: 'array', items: { type: 'string' } },
  },
} as const;
