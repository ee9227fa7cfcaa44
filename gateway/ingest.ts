/**
 * Ingest: the one door every device message passes, from MQTT or a serial board. It checks
 * the rate, the contract (topic, size, JSON, schema), hands the message to the device's
 * session, and records every rejection: counted per device and reason and kept in the
 * dead-letter store. Its callback runs when the message may be acknowledged to the device.
 */
import { type ParsedDeviceTopic, parseDevicePayload } from '../contract/index.js';
import { partCatalog } from '../firmware/node/catalog-facts.js';
import type { Clock } from '../lib/clock.js';
import type { DeadLetterStore } from './dead-letters.js';
import { ACCEPTED, type DeviceSession, type RejectCode, type Verdict } from './device-session.js';
import { parseDeviceTopicFast } from './device-topic.js';
import type { GatewayCounters } from './metrics.js';
import { OutboxFullError } from './outbox.js';
import type { Via } from './presence.js';
import type { DeviceSessions } from './sessions.js';

/** The hardware catalog, for births in catalog form (an Espruino bundle's). */
const PARTS = partCatalog();

export interface IncomingMessage {
  /** The device the topic names (or the sender's client id when the topic names none). */
  device: string;
  client: string;
  via: Via;
  topic: string;
  payload: Uint8Array | string;
  /** The topic already split by the caller (the MQTT connector does, for the ACL). */
  parsed?: ParsedDeviceTopic;
}

/**
 * The outcome of one message: its verdict, or `error` when it was accepted but could not be
 * written (the disk failed): then it must not be acknowledged.
 */
export type Settled = (verdict: Verdict, error?: Error) => void;

export interface IngestContext {
  clock: Clock;
  /** The per-device rate limit, for the rejection's detail. */
  rate: { ratePerSecond: number; burst: number };
  sessions: DeviceSessions;
  deadLetters: DeadLetterStore;
  counters: GatewayCounters;
  /** Answers in arrival order: a verdict that needs no write still waits for earlier writes. */
  afterPending(done: () => void): void;
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

  /**
   * Passes one message through the door; `settled` runs once it may be answered: accepted
   * telemetry once it is on disk, anything else once every earlier write is.
   */
  accept(msg: IncomingMessage, settled: Settled): void {
    const rx = this.ctx.clock.now();
    const parsed = msg.parsed ?? parseDeviceTopicFast(msg.topic);
    this.countIn(parsed);
    const finish = (verdict: Verdict, error?: Error) =>
      this.finish(msg, rx, verdict, error, settled);
    this.ctx.sessions.run(
      msg.device,
      (session) => this.check(session, msg, parsed, rx, finish),
      (verdict) => {
        if (verdict.ok && verdict.pending) return; // `finish` is called once it is durable
        this.ctx.afterPending(() => finish(verdict));
      },
    );
  }

  /** `accept` as a promise (serial boards, the external broker, tests). */
  receive(msg: IncomingMessage): Promise<Verdict> {
    return new Promise((resolve, reject) =>
      this.accept(msg, (verdict, error) => (error ? reject(error) : resolve(verdict))),
    );
  }

  private check(
    session: DeviceSession,
    msg: IncomingMessage,
    parsed: ParsedDeviceTopic,
    rx: number,
    finish: (verdict: Verdict, error?: Error) => void,
  ): Verdict {
    if (!session.admit()) {
      return {
        ok: false,
        reason: 'rate',
        detail: `device ${msg.device} sent more than its limit of ${this.ctx.rate.ratePerSecond} messages a second (burst ${this.ctx.rate.burst})`,
      };
    }
    if (!parsed.ok) return { ok: false, reason: 'topic', detail: parsed.detail };
    const message = parseDevicePayload(parsed, msg.payload, PARTS);
    if (!message.ok) return message;
    return session.handle(message.value, msg.via, rx, (error) => {
      if (!error) finish(ACCEPTED);
      else if (error instanceof OutboxFullError) {
        finish({ ok: false, reason: 'outbox-full', detail: error.message });
      } else finish(ACCEPTED, error);
    });
  }

  private finish(
    msg: IncomingMessage,
    rx: number,
    verdict: Verdict,
    error: Error | undefined,
    settled: Settled,
  ): void {
    if (verdict.ok && verdict.duplicate) this.ctx.counters.duplicates.inc({ device: msg.device });
    if (!verdict.ok) this.reject(msg, verdict.reason, verdict.detail, rx);
    settled(verdict, error);
  }

  /** Counts by kind, with one prepared label set per kind (this runs for every message). */
  private countIn(parsed: ParsedDeviceTopic): void {
    this.ctx.counters.messagesIn.inc(parsed.ok ? KIND_LABELS[parsed.kind] : KIND_LABELS.other);
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
