/**
 * The REST API for third parties, as pure handlers: a request (route, params, query, headers,
 * body) in, a status and a JSON body out. The http-in flows pass each request to the
 * `fullstack api` node, which calls these. Every error is JSON: {"error": code, "message": …}.
 */
import { DEVICE_ID_PATTERN } from '../../contract/topics.js';
import type { KeyCheck } from './api-keys.js';
import type { CommandOutcome, CommandRequest } from './commands.js';
import type { DeviceView } from './fleet.js';
import { openApiDocument } from './openapi.js';
import type { ReadingsQuery, ReadingsResult } from './store.js';

export const API_ROUTES = [
  'devices',
  'device',
  'readings',
  'command',
  'openapi',
  'not-found',
] as const;
export type ApiRoute = (typeof API_ROUTES)[number];

export interface ApiRequest {
  method?: string;
  path?: string;
  params: Record<string, string | undefined>;
  query: Record<string, unknown>;
  headers: Record<string, string | string[] | undefined>;
  body: unknown;
}

export interface ApiResponse {
  status: number;
  body: unknown;
  /** Extra response headers (e.g. `Allow` on a 405). */
  headers?: Record<string, string>;
}

export interface ApiContext {
  now(): number;
  devices(): DeviceView[];
  device(id: string): DeviceView | undefined;
  /** Devices with stored readings but perhaps no longer reported by any gateway. */
  storedDevices(): string[];
  /** Sensor ids with stored readings for one device. */
  storedSensors(device: string): string[];
  readings(query: ReadingsQuery): ReadingsResult;
  command(request: CommandRequest): Promise<CommandOutcome>;
  /** Checks the Authorization header; absent when the API is configured without keys. */
  checkKey?: (authorization: string | undefined) => KeyCheck;
}

export const MAX_RANGE_MS = 366 * 24 * 3600_000;
export const DEFAULT_RANGE_MS = 3600_000;
export const MAX_COMMAND_TIMEOUT_MS = 60_000;
const COMMAND_NAME = /^[a-z][a-z0-9_-]{0,31}$/;

class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly headers?: Record<string, string>,
  ) {
    super(message);
  }
}

/**
 * Every path of the API and the methods it answers, so that a known path asked with another
 * method is a 405 with an `Allow` header rather than a 404. Kept beside the flows' http-in
 * nodes (flows/30-api.json); test/flows/api.test.ts checks the two agree.
 */
export const API_PATHS: ReadonlyArray<{ pattern: RegExp; methods: readonly string[] }> = [
  { pattern: /^\/api\/devices\/?$/, methods: ['GET'] },
  { pattern: /^\/api\/devices\/[^/]+\/?$/, methods: ['GET'] },
  { pattern: /^\/api\/devices\/[^/]+\/readings\/?$/, methods: ['GET'] },
  { pattern: /^\/api\/devices\/[^/]+\/commands\/[^/]+\/?$/, methods: ['POST'] },
  { pattern: /^\/api\/openapi\.json$/, methods: ['GET'] },
];

function unrouted(req: ApiRequest): ApiError {
  const method = (req.method ?? '').toUpperCase();
  const path = req.path ?? '';
  const known = API_PATHS.find((p) => p.pattern.test(path));
  if (known && !known.methods.includes(method)) {
    const allow = known.methods.join(', ');
    return new ApiError(
      405,
      'method-not-allowed',
      `${method} is not allowed on ${path}; allowed: ${allow}`,
      { allow },
    );
  }
  return new ApiError(
    404,
    'not-found',
    `no route ${method} ${path} in this API; see /api/openapi.json`.replace(/\s+/g, ' '),
  );
}

/** Sensors a device is known to have: from its birth, its latest readings and the store. */
function knownSensors(ctx: ApiContext, id: string): string[] {
  const view = ctx.device(id);
  const ids = new Set<string>([
    ...(view?.sensors ?? []).map((s) => s.id),
    ...Object.keys(view?.readings ?? {}),
    ...ctx.storedSensors(id),
  ]);
  return [...ids].sort();
}

const bad = (message: string) => new ApiError(400, 'bad-request', message);

/** `from`/`to`: milliseconds since the epoch or an ISO 8601 date. */
export function parseTime(name: string, value: unknown, fallback: number): number {
  if (value === undefined || value === '') return fallback;
  if (typeof value !== 'string') throw bad(`${name} must be given once`);
  if (/^\d{1,15}$/.test(value)) return Number(value);
  const parsed = Date.parse(value);
  if (Number.isNaN(parsed)) {
    throw bad(
      `${name}="${value}" is not a time: use milliseconds since the epoch or an ISO 8601 date`,
    );
  }
  return parsed;
}

/** `step`: milliseconds, or a number with s, m, h or d (`10s`, `5m`); 0 or absent for raw points. */
export function parseStep(value: unknown): number {
  if (value === undefined || value === '') return 0;
  if (typeof value !== 'string') throw bad('step must be given once');
  const match = /^(\d{1,9})(ms|s|m|h|d)?$/.exec(value);
  if (!match) throw bad(`step="${value}" is not a duration: use milliseconds or 10s, 5m, 1h, 1d`);
  const unit = { ms: 1, s: 1000, m: 60_000, h: 3600_000, d: 86_400_000 }[
    match[2] ?? 'ms'
  ] as number;
  const step = Number(match[1]) * unit;
  if (step !== 0 && step < 1000) throw bad(`step=${value} is below the smallest step, 1s`);
  return step;
}

function header(headers: ApiRequest['headers'], name: string): string | undefined {
  const value = headers[name] ?? headers[name.toLowerCase()];
  return Array.isArray(value) ? value[0] : value;
}

function knownDevice(ctx: ApiContext, id: string | undefined): string {
  if (!id || !DEVICE_ID_PATTERN.test(id)) {
    throw bad(`device id "${id ?? ''}" does not match ${DEVICE_ID_PATTERN.source}`);
  }
  if (!ctx.device(id) && !ctx.storedDevices().includes(id)) {
    throw new ApiError(404, 'unknown-device', `no device "${id}" is known to this backend`);
  }
  return id;
}

async function route(name: ApiRoute, req: ApiRequest, ctx: ApiContext): Promise<ApiResponse> {
  switch (name) {
    case 'openapi':
      return { status: 200, body: openApiDocument() };
    case 'not-found':
      throw unrouted(req);
    case 'devices':
      return { status: 200, body: { devices: ctx.devices() } };
    case 'device': {
      const id = knownDevice(ctx, req.params.id);
      const view = ctx.device(id);
      return { status: 200, body: view ?? { device: id, online: false, known: 'stored-only' } };
    }
    case 'readings': {
      const id = knownDevice(ctx, req.params.id);
      const now = ctx.now();
      const to = parseTime('to', req.query.to, now);
      const from = parseTime('from', req.query.from, to - DEFAULT_RANGE_MS);
      if (from > to) throw bad(`from (${from}) is after to (${to})`);
      if (to - from > MAX_RANGE_MS)
        throw bad(`the range from..to is longer than ${MAX_RANGE_MS / 86_400_000} days`);
      const step = parseStep(req.query.step);
      const sensor = req.query.sensor;
      if (
        sensor !== undefined &&
        (typeof sensor !== 'string' || !/^[a-z0-9][a-z0-9_-]{0,31}$/.test(sensor))
      ) {
        throw bad(`sensor="${String(sensor)}" is not a sensor id`);
      }
      if (sensor !== undefined) {
        const known = knownSensors(ctx, id);
        if (!known.includes(sensor)) {
          throw bad(
            known.length
              ? `sensor="${sensor}" is not a sensor of device "${id}"; known sensors: ${known.join(', ')}`
              : `sensor="${sensor}" is not a sensor of device "${id}"; it has no known sensors yet`,
          );
        }
      }
      const query: ReadingsQuery = { device: id, from, to, step };
      if (sensor) query.sensor = sensor;
      return { status: 200, body: ctx.readings(query) };
    }
    case 'command': {
      const id = knownDevice(ctx, req.params.id);
      const commandName = req.params.name ?? '';
      if (!COMMAND_NAME.test(commandName))
        throw bad(`command name "${commandName}" does not match ${COMMAND_NAME.source}`);
      const body = req.body === undefined || req.body === '' ? {} : req.body;
      if (typeof body !== 'object' || body === null || Array.isArray(body)) {
        throw bad('the request body must be a JSON object {"args": {...}, "timeoutMs": n}');
      }
      const { args = {}, timeoutMs } = body as { args?: unknown; timeoutMs?: unknown };
      if (typeof args !== 'object' || args === null || Array.isArray(args))
        throw bad('"args" must be a JSON object');
      if (
        timeoutMs !== undefined &&
        (typeof timeoutMs !== 'number' ||
          !Number.isInteger(timeoutMs) ||
          timeoutMs < 100 ||
          timeoutMs > MAX_COMMAND_TIMEOUT_MS)
      ) {
        throw bad(
          `"timeoutMs" is ${JSON.stringify(timeoutMs)}: allowed 100 to ${MAX_COMMAND_TIMEOUT_MS}`,
        );
      }
      const request: CommandRequest = {
        device: id,
        name: commandName,
        args: args as Record<string, unknown>,
      };
      if (timeoutMs !== undefined) request.timeoutMs = timeoutMs as number;
      const outcome = await ctx.command(request);
      if (outcome.status === 'ok') return { status: 200, body: outcome };
      if (outcome.status === 'timeout')
        return {
          status: 504,
          body: { error: 'timeout', message: outcome.error, command: outcome },
        };
      if (outcome.error === 'offline') {
        return {
          status: 409,
          body: { error: 'device-offline', message: `device "${id}" is offline`, command: outcome },
        };
      }
      return {
        status: 502,
        body: { error: 'device-error', message: outcome.error, command: outcome },
      };
    }
  }
}

export async function handleApi(
  name: ApiRoute,
  req: ApiRequest,
  ctx: ApiContext,
): Promise<ApiResponse> {
  try {
    if (name !== 'openapi' && name !== 'not-found' && ctx.checkKey) {
      // `X-API-Key` too: behind FULLSTACK_NR_PROTECT_UI the Authorization header carries the
      // HTTP basic login, so the key needs a header of its own.
      const apiKey = header(req.headers, 'x-api-key');
      const check = ctx.checkKey(
        apiKey ? `Bearer ${apiKey}` : header(req.headers, 'authorization'),
      );
      if (!check.ok) return { status: 401, body: { error: 'unauthorized', message: check.detail } };
    }
    return await route(name, req, ctx);
  } catch (error) {
    if (error instanceof ApiError) {
      const response: ApiResponse = {
        status: error.status,
        body: { error: error.code, message: error.message },
      };
      if (error.headers) response.headers = error.headers;
      return response;
    }
    return { status: 500, body: { error: 'internal', message: (error as Error).message } };
  }
}
