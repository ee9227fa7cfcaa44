/**
 * One device's message handler: its rate bucket, its duplicate window and the sensors its
 * birth declared. Each session runs as a supervised child (see sessions.ts): if a handler
 * throws, that session alone is restarted with fresh state, and no other device notices.
 */
import {
  type Ack,
  type DeviceMessage,
  type ForwardedTelemetry,
  findUnknownSensor,
  type OfflineReason,
  type RejectReason,
} from '../contract/index.js';
import type { Clock } from '../lib/clock.js';
import type { GatewaySettings } from './config.js';
import { SeqWindow } from './dedupe.js';
import type { Durable, Outbox } from './outbox.js';
import type { Presence, Via } from './presence.js';
import { TokenBucket } from './rate-limit.js';

export type RejectCode = RejectReason | 'outbox-full' | 'handler-crash';

/**
 * A session's answer. `pending`: accepted telemetry, appended to the outbox; the outcome
 * (on disk, or why not) comes through the `durable` callback given to `handle`.
 */
export type Verdict =
  | { ok: true; pending?: boolean; duplicate?: boolean }
  | { ok: false; reason: RejectCode; detail: string };

/** Shared, never mutated: most messages need no verdict object of their own. */
export const ACCEPTED: Verdict = Object.freeze({ ok: true });
export const PENDING: Verdict = Object.freeze({ ok: true, pending: true });
const DUPLICATE: Verdict = Object.freeze({ ok: true, duplicate: true });

export interface SessionContext {
  clock: Clock;
  ingest: GatewaySettings['ingest'];
  outbox: Outbox;
  presence: Presence;
  /** Acks go to the command router. */
  onAck(device: string, ack: Ack): void;
  /** A device said goodbye itself (status offline with a reason other than its will's `lost`). */
  onGoodbye(device: string, reason: OfflineReason): void;
  /** The last committed (boot, seq) of this device, from before a restart. */
  lastSeen(device: string): { boot: number; seq: number } | undefined;
}

export class DeviceSession {
  private readonly bucket: TokenBucket;
  private readonly seqs: SeqWindow;
  private sensors: Set<string> | undefined;

  constructor(
    readonly device: string,
    private readonly ctx: SessionContext,
  ) {
    this.bucket = new TokenBucket(ctx.ingest.ratePerSecond, ctx.ingest.burst, ctx.clock);
    this.seqs = new SeqWindow(ctx.ingest.dedupeWindow);
    const seen = ctx.lastSeen(device);
    if (seen) this.seqs.seed(seen.boot, seen.seq);
    const birth = ctx.presence.get(device)?.birth;
    if (birth) this.sensors = new Set(birth.sensors.map((s) => s.id));
  }

  /** Counts one message against the device's rate; false when it is flooding. */
  admit(): boolean {
    return this.bucket.take();
  }

  /** `durable` is called only for a `pending` verdict, once the reading is on disk or refused. */
  handle(message: DeviceMessage, via: Via, rx: number, durable: Durable): Verdict {
    switch (message.kind) {
      case 'status': {
        const status = message.payload;
        if (status.online) {
          this.sensors = new Set(status.sensors.map((s) => s.id));
          this.ctx.presence.birth(this.device, via, status);
        } else if (status.reason !== 'lost') {
          // `lost` is the device's will: the broker knows better why it went (keepalive…).
          this.ctx.onGoodbye(this.device, status.reason);
        }
        return ACCEPTED;
      }
      case 'telemetry': {
        const t = message.payload;
        if (!this.sensors) {
          return {
            ok: false,
            reason: 'unknown-sensor',
            detail: `device ${this.device} sent telemetry before any birth on fs/v1/${this.device}/status, so no sensor is known`,
          };
        }
        const unknown = findUnknownSensor(t, this.sensors);
        if (unknown !== undefined) {
          return {
            ok: false,
            reason: 'unknown-sensor',
            detail: `reading "${unknown}" is not a sensor of device ${this.device} (its birth declares: ${[...this.sensors].join(', ') || 'none'})`,
          };
        }
        if (this.seqs.isDuplicate(t.boot, t.seq)) return DUPLICATE;
        const item: ForwardedTelemetry = {
          device: this.device,
          boot: t.boot,
          seq: t.seq,
          ts: t.ts,
          rx,
          readings: t.readings,
        };
        if (t.historical) item.historical = true;
        const { boot, seq } = t; // not `t`: the parsed message need not outlive the append
        this.ctx.outbox.add(item, (error) => {
          // Not stored: the device keeps it and sends it again, which must not look like a duplicate.
          if (error) this.seqs.forget(boot, seq);
          durable(error);
        });
        return PENDING;
      }
      case 'ack':
        this.ctx.onAck(this.device, message.payload);
        return ACCEPTED;
      case 'sys':
        return ACCEPTED;
      case 'cmd':
        return {
          ok: false,
          reason: 'forbidden',
          detail: `devices may not publish commands (fs/v1/${this.device}/cmd)`,
        };
    }
  }
}
