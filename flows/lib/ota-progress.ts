/**
 * Over-the-air update progress, as the dashboard shows it: the OTA sender (firmware/ota/
 * sender.ts) publishes an OtaEvent on the gateway's upstream `events` topic at every step; this
 * module checks each one field by field and keeps, per device, the update in progress (or the
 * last one) and the outcome of the last finished update. A malformed event is refused with a
 * reason and counted, never thrown: one bad publisher must not stop the flows.
 */

import { DEVICE_ID_PATTERN } from '../../contract/topics.js';
import type { OtaEvent, OtaPhase } from '../../firmware/ota/protocol.js';
import type { Parsed } from './upstream-parse.js';

/** The sender's phases, as a runtime list (protocol.ts declares them as a type only). */
export const OTA_PHASES = [
  'starting',
  'sending',
  'switching',
  'waiting-birth',
  'done',
  'rolled-back',
  'failed',
] as const satisfies readonly OtaPhase[];
// Compile-time check that the list above names every phase the sender may report.
type MissingPhase = Exclude<OtaPhase, (typeof OTA_PHASES)[number]>;
const everyPhaseListed: MissingPhase extends never ? true : never = true;
void everyPhaseListed;

/** Closed set of what the dashboard shows for a device's update. */
export type OtaState = 'updating' | 'updated' | 'rolled-back' | 'failed';

const STATE_OF_PHASE: Record<OtaPhase, OtaState> = {
  starting: 'updating',
  sending: 'updating',
  switching: 'updating',
  'waiting-birth': 'updating',
  done: 'updated',
  'rolled-back': 'rolled-back',
  failed: 'failed',
};

/** How a finished update ended. */
export interface OtaOutcome {
  state: Exclude<OtaState, 'updating'>;
  fw: string;
  at: number;
  /** One line for people: "updated to fw-2", "rolled back: no birth within 30000 ms". */
  text: string;
  detail?: string;
}

/** One device's update, as sent to the dashboard. */
export interface OtaProgress {
  device: string;
  gateway: string;
  state: OtaState;
  phase: OtaPhase;
  /** The firmware being (or last) sent. */
  fw: string;
  sent: number;
  total: number;
  /** 0..100, whole numbers; 100 once every chunk was acknowledged. */
  percent: number;
  startedAt: number;
  updatedAt: number;
  /** One line for people: "updating 42%", "updated to fw-2", "rolled back: <reason>". */
  text: string;
  detail?: string;
  /** The last finished update (this one, once it has finished). */
  lastOutcome?: OtaOutcome;
}

/** What the tracker has refused, for a node's status and a test. */
export interface OtaIntakeStats {
  accepted: number;
  malformed: number;
  /** Valid events of another type (not OTA): left to whoever consumes them. */
  otherTypes: number;
  lastProblem?: string;
}

const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);
const isCount = (v: unknown): v is number => typeof v === 'number' && Number.isInteger(v) && v >= 0;

/**
 * Checks one `events` payload (already JSON-parsed). `value: null` is a valid event of another
 * type, which is not ours to judge.
 */
export function parseOtaEvent(body: unknown): Parsed<OtaEvent | null> {
  if (!isObject(body)) return { ok: false, detail: 'the event is not a JSON object' };
  if (typeof body.type !== 'string') {
    return { ok: false, detail: `type is ${JSON.stringify(body.type)}, expected a string` };
  }
  if (body.type !== 'ota') return { ok: true, value: null };
  const fail = (field: string, expected: string): Parsed<never> => ({
    ok: false,
    detail: `ota event: ${field} is ${JSON.stringify(body[field]) ?? 'missing'}, expected ${expected}`,
  });
  if (typeof body.device !== 'string' || !DEVICE_ID_PATTERN.test(body.device)) {
    return fail('device', `a device id matching ${DEVICE_ID_PATTERN.source}`);
  }
  if (!(OTA_PHASES as readonly unknown[]).includes(body.phase)) {
    return fail('phase', `one of ${OTA_PHASES.join(', ')}`);
  }
  if (typeof body.fw !== 'string' || body.fw === '') return fail('fw', 'a non-empty string');
  if (!isCount(body.total)) return fail('total', 'a whole number of bytes ≥ 0');
  if (!isCount(body.sent) || body.sent > body.total) {
    return fail('sent', `a whole number of bytes from 0 to total (${body.total})`);
  }
  if (typeof body.ts !== 'number' || !Number.isFinite(body.ts) || body.ts < 0) {
    return fail('ts', 'milliseconds since the epoch');
  }
  if (body.detail !== undefined && typeof body.detail !== 'string') {
    return fail('detail', 'a string when present');
  }
  const event: OtaEvent = {
    type: 'ota',
    device: body.device,
    phase: body.phase as OtaPhase,
    fw: body.fw,
    sent: body.sent,
    total: body.total,
    ts: body.ts,
  };
  if (body.detail !== undefined) event.detail = body.detail as string;
  return { ok: true, value: event };
}

/**
 * The reason inside the sender's rollback sentence ("fw-3 was rolled back (<reason>); d went
 * back to fw-1"); the whole sentence if it ever reads otherwise.
 */
function rollbackReason(detail: string | undefined): string {
  if (!detail) return 'the new firmware did not confirm itself';
  return /was rolled back \((.+)\); /.exec(detail)?.[1] ?? detail;
}

function describe(event: OtaEvent, percent: number): string {
  switch (event.phase) {
    case 'starting':
      return `updating to ${event.fw}: starting`;
    case 'sending':
      return `updating ${percent}%`;
    case 'switching':
      return `updating: switching to ${event.fw}`;
    case 'waiting-birth':
      return `updating: waiting for ${event.fw} to start`;
    case 'done':
      return `updated to ${event.fw}`;
    case 'rolled-back':
      return `rolled back: ${rollbackReason(event.detail)}`;
    case 'failed':
      return `update failed: ${event.detail ?? 'no reason given'}`;
  }
}

/**
 * An update with no event for this long is shown as failed. The sender reports every step,
 * and is silent at most while it waits for the new firmware's birth (about three trial
 * periods, 30 s each by default); a sender that died (killed, a laptop closed) never reports
 * the end, and its bar would otherwise stay at the last step for good.
 */
export const OTA_STALL_MS = 10 * 60_000;

/** Per-device update progress, fed with the events of every gateway. */
export class OtaProgressTracker {
  private readonly devices = new Map<string, OtaProgress>();
  /** When this backend last heard of each device's update (its own clock, not the sender's). */
  private readonly heardAt = new Map<string, number>();
  private readonly counts: OtaIntakeStats = { accepted: 0, malformed: 0, otherTypes: 0 };

  /**
   * Takes one `events` payload from `gateway`. Returns the device's new progress, null when
   * nothing changed (another event type, or an event older than the one shown), or the
   * reason it was refused.
   */
  receive(gateway: string, body: unknown, now = Date.now()): Parsed<OtaProgress | null> {
    const parsed = parseOtaEvent(body);
    if (!parsed.ok) {
      this.reject(parsed.detail);
      return parsed;
    }
    if (parsed.value === null) {
      this.counts.otherTypes++;
      return { ok: true, value: null };
    }
    this.counts.accepted++;
    const progress = this.apply(gateway, parsed.value);
    if (progress) this.heardAt.set(progress.device, now);
    return { ok: true, value: progress };
  }

  /**
   * Marks updates with no event for `stallMs` as failed and returns them. A later event from
   * the same update still applies (the sender's clock has not moved past it).
   */
  expireStalled(now: number, stallMs = OTA_STALL_MS): OtaProgress[] {
    const expired: OtaProgress[] = [];
    for (const [device, progress] of this.devices) {
      const heard = this.heardAt.get(device) ?? now;
      if (progress.state !== 'updating' || now - heard < stallMs) continue;
      const minutes = Math.round(stallMs / 60_000);
      const text = `update stalled: no progress for ${minutes} min at "${progress.phase}" (did the sender stop?)`;
      const stalled: OtaProgress = { ...progress, state: 'failed', phase: 'failed', text };
      stalled.lastOutcome = { state: 'failed', fw: progress.fw, at: now, text };
      this.devices.set(device, stalled);
      expired.push(stalled);
    }
    return expired;
  }

  /** Counts an events payload refused before it got here (not JSON, not an object). */
  reject(detail: string): void {
    this.counts.malformed++;
    this.counts.lastProblem = detail;
  }

  private apply(gateway: string, event: OtaEvent): OtaProgress | null {
    const previous = this.devices.get(event.device);
    // QoS 0 from one sender keeps its order; an older event is a late duplicate or a second
    // sender's leftover, and must not move the bar backwards.
    if (previous && event.ts < previous.updatedAt) return null;
    const state = STATE_OF_PHASE[event.phase];
    const percent = event.total > 0 ? Math.floor((event.sent / event.total) * 100) : 0;
    const fresh = !previous || event.phase === 'starting' || previous.state !== 'updating';
    const progress: OtaProgress = {
      device: event.device,
      gateway,
      state,
      phase: event.phase,
      fw: event.fw,
      sent: event.sent,
      total: event.total,
      percent,
      startedAt: fresh ? event.ts : previous.startedAt,
      updatedAt: event.ts,
      text: describe(event, percent),
    };
    if (event.detail !== undefined) progress.detail = event.detail;
    if (state === 'updating') {
      if (previous?.lastOutcome) progress.lastOutcome = previous.lastOutcome;
    } else {
      progress.lastOutcome = { state, fw: event.fw, at: event.ts, text: progress.text };
      if (event.detail !== undefined) progress.lastOutcome.detail = event.detail;
    }
    this.devices.set(event.device, progress);
    return progress;
  }

  get(device: string): OtaProgress | undefined {
    return this.devices.get(device);
  }

  /** Every device that has had an update since this backend started, by device id. */
  snapshot(): OtaProgress[] {
    return [...this.devices.values()].sort((a, b) => a.device.localeCompare(b.device));
  }

  stats(): OtaIntakeStats {
    return { ...this.counts };
  }
}
