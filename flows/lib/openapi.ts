/** The OpenAPI 3.1 description of the REST API, served at /api/openapi.json. */
const error = { $ref: '#/components/schemas/Error' };
const jsonError = (description: string) => ({
  description,
  content: { 'application/json': { schema: error } },
});
const deviceId = {
  name: 'id',
  in: 'path',
  required: true,
  schema: { type: 'string', pattern: '^[a-z0-9][a-z0-9-]{0,62}$' },
};

export function openApiDocument(): Record<string, unknown> {
  return {
    openapi: '3.1.0',
    info: {
      title: 'FullStack REST API',
      version: '1.0.0',
      description:
        'Devices, their presence and readings, and commands, served by Node-RED. Every call except this document needs `Authorization: Bearer <key>` (create a key with `fullstack apikey create <name>`).',
    },
    servers: [{ url: '/api' }],
    security: [{ bearer: [] }, { apiKeyHeader: [] }],
    components: {
      securitySchemes: {
        bearer: { type: 'http', scheme: 'bearer' },
        apiKeyHeader: { type: 'apiKey', in: 'header', name: 'X-API-Key' },
      },
      schemas: {
        Error: {
          type: 'object',
          required: ['error', 'message'],
          properties: {
            error: {
              type: 'string',
              enum: [
                'bad-request',
                'unauthorized',
                'not-found',
                'unknown-device',
                'timeout',
                'device-error',
                'device-offline',
                'internal',
              ],
            },
            message: { type: 'string' },
          },
        },
        Device: {
          type: 'object',
          required: ['device', 'online'],
          properties: {
            device: { type: 'string' },
            gateway: { type: 'string' },
            online: { type: 'boolean' },
            reason: { type: 'string', description: 'why the device is offline' },
            since: { type: 'integer', description: 'ms since the epoch when the state began' },
            lastSeen: { type: 'integer' },
            board: { type: 'string' },
            fw: { type: 'string' },
            sensors: { type: 'array', items: { type: 'object' } },
            actuators: { type: 'array', items: { type: 'object' } },
            readings: { type: 'object', additionalProperties: { type: 'object' } },
          },
        },
        Readings: {
          type: 'object',
          properties: {
            device: { type: 'string' },
            from: { type: 'integer' },
            to: { type: 'integer' },
            step: { type: 'integer' },
            source: { type: 'string', enum: ['raw', 'rollup'] },
            truncated: { type: 'boolean' },
            series: {
              type: 'object',
              additionalProperties: {
                type: 'array',
                items: {
                  type: 'object',
                  required: ['ts', 'value'],
                  properties: {
                    ts: { type: 'integer' },
                    value: { type: 'number' },
                    min: { type: 'number' },
                    max: { type: 'number' },
                    count: { type: 'integer' },
                  },
                },
              },
            },
          },
        },
        CommandResult: {
          type: 'object',
          properties: {
            status: { type: 'string', enum: ['ok'] },
            device: { type: 'string' },
            id: { type: 'string' },
            name: { type: 'string' },
            result: {},
            ms: { type: 'integer' },
          },
        },
      },
    },
    paths: {
      '/devices': {
        get: {
          summary: 'Every device, online or not',
          responses: {
            200: {
              description: 'the fleet',
              content: {
                'application/json': {
                  schema: {
                    type: 'object',
                    properties: {
                      devices: { type: 'array', items: { $ref: '#/components/schemas/Device' } },
                    },
                  },
                },
              },
            },
            401: jsonError('missing or unknown API key'),
          },
        },
      },
      '/devices/{id}': {
        get: {
          summary: 'One device',
          parameters: [deviceId],
          responses: {
            200: {
              description: 'the device',
              content: { 'application/json': { schema: { $ref: '#/components/schemas/Device' } } },
            },
            400: jsonError('bad device id'),
            401: jsonError('missing or unknown API key'),
            404: jsonError('unknown device'),
          },
        },
      },
      '/devices/{id}/readings': {
        get: {
          summary: 'Stored readings, raw or in buckets of `step`',
          parameters: [
            deviceId,
            {
              name: 'sensor',
              in: 'query',
              description:
                'one sensor of the device; an unknown one is a 400 naming the known ones',
              schema: { type: 'string' },
            },
            {
              name: 'from',
              in: 'query',
              description: 'ms since the epoch or ISO 8601; default to - 1 h',
              schema: { type: 'string' },
            },
            {
              name: 'to',
              in: 'query',
              description: 'ms since the epoch or ISO 8601; default now',
              schema: { type: 'string' },
            },
            {
              name: 'step',
              in: 'query',
              description: 'bucket width: ms, or 10s, 5m, 1h, 1d',
              schema: { type: 'string' },
            },
          ],
          responses: {
            200: {
              description: 'the readings',
              content: {
                'application/json': { schema: { $ref: '#/components/schemas/Readings' } },
              },
            },
            400: jsonError('bad parameters'),
            401: jsonError('missing or unknown API key'),
            404: jsonError('unknown device'),
          },
        },
      },
      '/devices/{id}/commands/{name}': {
        post: {
          summary: 'Send a command (set, ping, interval, reboot…) and wait for its ack',
          parameters: [
            deviceId,
            { name: 'name', in: 'path', required: true, schema: { type: 'string' } },
          ],
          requestBody: {
            content: {
              'application/json': {
                schema: {
                  type: 'object',
                  properties: {
                    args: { type: 'object' },
                    timeoutMs: { type: 'integer', minimum: 100, maximum: 60000, default: 10000 },
                  },
                },
                example: { args: { actuator: 'led', value: true } },
              },
            },
          },
          responses: {
            200: {
              description: 'the device acked',
              content: {
                'application/json': { schema: { $ref: '#/components/schemas/CommandResult' } },
              },
            },
            400: jsonError('bad parameters, or a body that is not JSON'),
            401: jsonError('missing or unknown API key'),
            404: jsonError('unknown device'),
            409: jsonError('the device is offline'),
            502: jsonError('the device answered with an error'),
            504: jsonError('no ack in time'),
          },
        },
      },
    },
  };
}
