/**
 * Ingest: the one door every device message passes, from MQTT or a serial board. It checks
 * the rate, the contract (topic, size, JSON, schema), hands the message to the device's
 * session, and records every rejection: counted per device and reason and kept in the
 * dead-letter store. Resolves when the message may be acknowledged to the device.
 */
import { parseDeviceMessage } from '../contract/index.js';
import type { Clock } from '../lib/clock.js';
import type { DeadLetterStore } from './dead-letters.js';
import type { RejectCode, Verdict } from './device-session.js';
import type { GatewayCounters } from './metrics.js';
import { OutboxFullError } from './outbox.js';
import type { Via } from './presence.js';
import type { DeviceSessions } from './sessions.js';

export interface IncomingMessage {
  /** The device the topic names (or the sender's client id when the topic names none). */
  device: string;
  client: string;
  via: Via;
  topic: string;
  payload: Uint8Array | string;
}

export interface IngestContext {
  clock: Clock;
  /** The per-device rate limit, for the rejection's detail. */
  rate: { ratePerSecond: number; burst: number };
  sessions: DeviceSessions;
  deadLetters: DeadLetterStore;
  counters: GatewayCounters;
}

const KIND_LABELS = {
  status: { kind: 'status' },
  telemetry: { kind: 'telemetry' },
  ack: { kind: 'ack' },
  sys: { kind: 'sys' },
  cmd: { kind: 'cmd' },
  other: { kind: 'other' },
};

/** Rate rejections are counted every time but stored at most once a second per device. */
const RATE_LETTER_INTERVAL_MS = 1000;

export class Ingest {
  private readonly lastRateLetter = new Map<string, number>();

  constructor(private readonly ctx: IngestContext) {}

  async receive(msg: IncomingMessage): Promise<Verdict> {
    const rx = this.ctx.clock.now();
    this.countIn(msg.topic);
    let verdict: Verdict;
    try {
      verdict = await this.ctx.sessions.run(msg.device, (session) => {
        if (!session.admit()) {
          return {
            ok: false,
            reason: 'rate',
            detail: `device ${msg.device} sent more than its limit of ${this.ctx.rate.ratePerSecond} messages a second (burst ${this.ctx.rate.burst})`,
          };
        }
        const parsed = parseDeviceMessage(msg.topic, msg.payload);
        if (!parsed.ok) return parsed;
        return session.handle(parsed.value, msg.via, rx);
      });
      if (verdict.ok && verdict.commit) {
        await verdict.commit;
      }
    } catch (error) {
      if (!(error instanceof OutboxFullError)) throw error;
      verdict = { ok: false, reason: 'outbox-full', detail: error.message };
    }
    if (verdict.ok && verdict.duplicate) this.ctx.counters.duplicates.inc({ device: msg.device });
    if (!verdict.ok) this.reject(msg, verdict.reason, verdict.detail, rx);
    return verdict;
  }

  /** Counts by kind, with one prepared label set per kind (this runs for every message). */
  private countIn(topic: string): void {
    const kind = topic.startsWith('fs/v1/') ? topic.slice(topic.lastIndexOf('/') + 1) : 'other';
    const labels = (KIND_LABELS as Record<string, { kind: string }>)[kind] ?? KIND_LABELS.other;
    this.ctx.counters.messagesIn.inc(labels);
  }

  /** Records a refusal decided outside the pipeline (the ACL, a topic outside the contract). */
  reject(
    msg: IncomingMessage,
    reason: RejectCode,
    detail: string,
    ts = this.ctx.clock.now(),
  ): void {
    this.ctx.counters.rejected.inc({ device: msg.device, reason });
    if (reason === 'rate') {
      const last = this.lastRateLetter.get(msg.device) ?? Number.NEGATIVE_INFINITY;
      if (ts - last < RATE_LETTER_INTERVAL_MS) return;
      this.lastRateLetter.set(msg.device, ts);
    }
    this.ctx.deadLetters.add({
      ts,
      device: msg.device,
      client: msg.client,
      topic: msg.topic,
      reason,
      detail,
      payload: msg.payload,
    });
  }
}
