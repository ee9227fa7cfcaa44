/**
 * Checks what arrives from a gateway before the flows act on it. The gateway validated each
 * device message at its edge; this guards against other publishers on the backend broker and
 * says, field by field, what was wrong.
 */
// Imported from the modules, not contract/index.js, so bundles do not pull in the validator.
import { UPSTREAM_TOPIC_ROOT, type UpstreamKind } from '../../contract/topics.js';
import type {
  ForwardedTelemetry,
  PresenceDiff,
  PresenceEntry,
  PresenceFull,
  TelemetryBatch,
  UpstreamAck,
} from '../../contract/upstream.js';

export type UpstreamMessage =
  | { kind: 'telemetry'; gateway: string; payload: TelemetryBatch }
  | { kind: 'presence'; gateway: string; payload: PresenceDiff }
  | { kind: 'devices'; gateway: string; payload: PresenceFull }
  | { kind: 'ack'; gateway: string; payload: UpstreamAck }
  /** Gateway events (OTA progress…): only `type` is checked here; flows/lib/ota-progress.ts checks the rest. */
  | { kind: 'events'; gateway: string; payload: { type: string; [field: string]: unknown } };

export type Parsed<T> = { ok: true; value: T } | { ok: false; detail: string };

const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

function checkEntry(entry: unknown, where: string): string | undefined {
  if (!isObject(entry)) return `${where} is not an object`;
  if (typeof entry.device !== 'string') return `${where}.device is not a string`;
  if (typeof entry.online !== 'boolean') return `${where}.online is not a boolean`;
  if (typeof entry.since !== 'number') return `${where}.since is not a number`;
  return undefined;
}

function checkItem(item: unknown, where: string): string | undefined {
  if (!isObject(item)) return `${where} is not an object`;
  for (const field of ['boot', 'seq', 'ts'] as const) {
    if (typeof item[field] !== 'number') return `${where}.${field} is not a number`;
  }
  if (typeof item.device !== 'string') return `${where}.device is not a string`;
  if (!isObject(item.readings)) return `${where}.readings is not an object`;
  for (const [sensor, value] of Object.entries(item.readings)) {
    if (typeof value !== 'number' && typeof value !== 'boolean') {
      return `${where}.readings.${sensor} is ${JSON.stringify(value)}, expected a number or boolean`;
    }
  }
  return undefined;
}

/** Parses `fs/gw/v1/<gw>/<kind>` plus its JSON payload (a string, a Buffer or an object). */
export function parseUpstream(topic: string, payload: unknown): Parsed<UpstreamMessage> {
  const parts = topic.split('/');
  if (parts.length !== 5 || `${parts[0]}/${parts[1]}/${parts[2]}` !== UPSTREAM_TOPIC_ROOT) {
    return { ok: false, detail: `topic "${topic}" is not ${UPSTREAM_TOPIC_ROOT}/<gateway>/<kind>` };
  }
  const gateway = parts[3] as string;
  const kind = parts[4] as UpstreamKind;
  let body: unknown = payload;
  if (typeof payload === 'string' || Buffer.isBuffer(payload)) {
    try {
      body = JSON.parse(payload.toString());
    } catch {
      return { ok: false, detail: `${topic}: payload is not JSON` };
    }
  }
  if (!isObject(body)) return { ok: false, detail: `${topic}: payload is not a JSON object` };
  const fail = (detail: string): Parsed<UpstreamMessage> => ({
    ok: false,
    detail: `${topic}: ${detail}`,
  });
  switch (kind) {
    case 'telemetry': {
      if (!Array.isArray(body.items)) return fail('items is not an array');
      for (const [i, item] of body.items.entries()) {
        const problem = checkItem(item, `items[${i}]`);
        if (problem) return fail(problem);
      }
      return { ok: true, value: { kind, gateway, payload: body as unknown as TelemetryBatch } };
    }
    case 'presence':
    case 'devices': {
      const list = kind === 'presence' ? body.changes : body.devices;
      const name = kind === 'presence' ? 'changes' : 'devices';
      if (!Array.isArray(list)) return fail(`${name} is not an array`);
      for (const [i, entry] of list.entries()) {
        const problem = checkEntry(entry, `${name}[${i}]`);
        if (problem) return fail(problem);
      }
      return kind === 'presence'
        ? { ok: true, value: { kind, gateway, payload: body as unknown as PresenceDiff } }
        : { ok: true, value: { kind, gateway, payload: body as unknown as PresenceFull } };
    }
    case 'ack': {
      if (typeof body.device !== 'string') return fail('device is not a string');
      const ack = body.ack;
      if (!isObject(ack) || typeof ack.id !== 'string' || typeof ack.ok !== 'boolean') {
        return fail('ack is not {"id": string, "ok": boolean, …}');
      }
      return { ok: true, value: { kind, gateway, payload: body as unknown as UpstreamAck } };
    }
    case 'events': {
      if (typeof body.type !== 'string') return fail('type is not a string');
      return {
        ok: true,
        value: { kind, gateway, payload: body as { type: string; [field: string]: unknown } },
      };
    }
    default:
      return fail(
        `kind "${kind}" is not one the backend consumes (telemetry, presence, devices, ack, events)`,
      );
  }
}

export type { ForwardedTelemetry, PresenceEntry };
