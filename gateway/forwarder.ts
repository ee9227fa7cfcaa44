/**
 * The forwarder: the gateway's one connection upstream (the backend broker, or the embedded
 * broker itself in the all-in-one setup). It drains the outbox oldest first, in batches, with
 * at most `window` batches awaiting the upstream PUBACK, and deletes a batch only once it is
 * acknowledged. While upstream is down nothing is deleted; MQTT.js keeps the in-flight
 * batches and resends them on reconnect before anything new, so order holds per device.
 * On every (re)connect it publishes the full presence state (retained) and subscribes to
 * commands; while connected it sends presence diffs and command acks.
 */
import mqtt, { type MqttClient } from 'mqtt';
import {
  type PresenceDiff,
  type PresenceEntry,
  type PresenceFull,
  type UpstreamAck,
  upstreamTopic,
} from '../contract/index.js';
import type { Clock, TimerId } from '../lib/clock.js';
import type { Logger } from '../lib/log.js';
import type { GatewaySettings } from './config.js';
import type { GatewayCounters } from './metrics.js';
import { endClient } from './mqtt-end.js';
import type { Outbox, OutboxRow, ReadTotals } from './outbox.js';
import type { ChildHandle } from './supervisor/types.js';

/** `refused`: the broker answered but refused the gateway (CONNACK code); retried all the same. */
const FULL_STATE_REFRESH_MS = 1000;

export type UpstreamState = 'connecting' | 'connected' | 'disconnected' | 'refused' | 'stopped';

export interface ForwarderContext {
  gatewayId: string;
  url: string;
  username?: string;
  password?: string;
  settings: GatewaySettings['forwarder'];
  outbox: Outbox;
  clock: Clock;
  log: Logger;
  counters: GatewayCounters;
  /** The whole presence state, for the retained `devices` message. */
  presence(): PresenceEntry[];
  /** Wait in start() until connected and subscribed (the embedded broker). */
  waitForConnect: boolean;
  /** A command arrived from the backend. */
  onCommand(payload: Buffer): void;
  /**
   * When the upstream broker is the embedded one (all-in-one), telemetry batches are put into
   * it directly: the same QoS 1 publish, without a loopback socket, an MQTT.js client and the
   * broker parsing the batch back (done: the broker took it, as its PUBACK would say).
   */
  inProcess?: (topic: string, payload: string, done: (error?: Error) => void) => void;
}

interface InFlight {
  first: number;
  last: number;
  /** Per row: its first receive time and its readings, for the forward latency. */
  rows: Array<{ rx: number; n: number }>;
  /** What was read, so the acknowledge can skip counting the rows again. */
  read: ReadTotals;
}

export class Forwarder {
  private client: MqttClient | undefined;
  private state: UpstreamState = 'connecting';
  private cursor = 0;
  private readonly inFlight = new Set<InFlight>();
  /** Readings in the batches in flight: the outbox's depth minus these is what waits. */
  private inFlightReadings = 0;
  private pumping = false;
  private retry: TimerId | undefined;
  private refresh: TimerId | undefined;
  private readonly telemetryTopic: string;
  private readonly batchHead: string;

  constructor(private readonly ctx: ForwarderContext) {
    this.telemetryTopic = upstreamTopic(ctx.gatewayId, 'telemetry');
    this.batchHead = `{"gateway":${JSON.stringify(ctx.gatewayId)},"items":[`;
  }

  upstreamState(): UpstreamState {
    return this.state;
  }

  inFlightBatches(): number {
    return this.inFlight.size;
  }

  /**
   * Starts connecting. With an external upstream it resolves at once, because a gateway must
   * run with its upstream down; with the embedded broker (in this process) it waits for the
   * connection and the command subscription, so the gateway is whole when it says it is ready.
   */
  async start(): Promise<ChildHandle> {
    const { ctx } = this;
    let finish!: () => void;
    const done = new Promise<void>((resolve) => {
      finish = resolve;
    });
    const client = mqtt.connect(ctx.url, {
      clientId: `fs-gw-${ctx.gatewayId}-forwarder`,
      username: ctx.username,
      password: ctx.password,
      clean: true,
      reconnectPeriod: ctx.settings.reconnectMs,
      connectTimeout: 10_000,
      protocolVersion: 4,
    });
    this.client = client;
    const cmd = upstreamTopic(ctx.gatewayId, 'cmd');
    let subscribed!: () => void;
    const firstSubscription = new Promise<void>((resolve) => {
      subscribed = resolve;
    });
    client.on('connect', () => {
      this.state = 'connected';
      ctx.log.info({ url: ctx.url }, 'upstream connected');
      client.subscribe(cmd, { qos: 1 }, (error) => {
        if (error) ctx.log.error({ err: error.message }, 'cannot subscribe to upstream commands');
        else subscribed();
      });
      this.sendFullState();
      this.pump();
    });
    client.on('message', (topic, payload) => {
      if (topic === cmd) ctx.onCommand(payload);
    });
    client.on('close', () => {
      if (this.state === 'stopped' || this.state === 'refused') return;
      if (this.state === 'connected')
        ctx.log.warn('upstream connection lost; readings stay in the outbox');
      this.state = 'disconnected';
    });
    client.on('error', (error) => {
      const code = (error as { code?: unknown }).code;
      ctx.log.warn({ err: error.message, code }, 'upstream error');
      // A refused CONNACK (a number code: 3 unavailable, 4 bad credentials, 5 not authorized)
      // makes MQTT.js stop reconnecting. The gateway must keep trying, since devices keep
      // filling the outbox meanwhile; refusing is never a reason to stop accepting.
      if (typeof code === 'number' && this.state !== 'stopped') {
        this.state = 'refused';
        ctx.clock.clearTimeout(this.retry);
        this.retry = ctx.clock.setTimeout(() => {
          if (this.state === 'refused') client.reconnect();
        }, ctx.settings.reconnectMs);
      }
    });
    if (ctx.waitForConnect) {
      let timer: TimerId | undefined;
      const timeout = new Promise<never>((_, reject) => {
        timer = ctx.clock.setTimeout(
          () => reject(new Error(`cannot reach the embedded broker at ${ctx.url} within 10 s`)),
          10_000,
        );
      });
      try {
        await Promise.race([firstSubscription, timeout]);
      } catch (error) {
        client.end(true);
        throw error;
      } finally {
        ctx.clock.clearTimeout(timer);
      }
    }
    return {
      done,
      stop: async () => {
        // A clean DISCONNECT when connected; when not, there is nobody to wait for.
        const force = this.state !== 'connected';
        this.state = 'stopped';
        ctx.clock.clearTimeout(this.retry);
        ctx.clock.clearTimeout(this.refresh);
        await endClient(client, force, ctx.clock);
        finish();
      },
    };
  }

  /**
   * The outbox has new rows: send what the window allows. Full batches go out at once, up to
   * the window; a partial one only when nothing is in flight (as Nagle's algorithm does for
   * small TCP segments): under a light load each commit would otherwise be a batch of its
   * own, an upstream publish and acknowledgement for a handful of readings.
   */
  pump(): void {
    if (this.pumping) return;
    this.pumping = true;
    const { maxBatch, window } = this.ctx.settings;
    try {
      while (this.state === 'connected' && this.inFlight.size < window) {
        const unsent = this.ctx.outbox.depth() - this.inFlightReadings;
        if (this.inFlight.size > 0 && unsent < maxBatch) break;
        const rows = this.ctx.outbox.readAfter(this.cursor, maxBatch);
        if (rows.length === 0) break;
        this.send(rows);
      }
    } finally {
      this.pumping = false;
    }
  }

  /** One TelemetryBatch from stored rows: their JSON items joined, no parse, no re-stringify. */
  private send(rows: OutboxRow[]): void {
    const first = (rows[0] as OutboxRow).id;
    const last = (rows[rows.length - 1] as OutboxRow).id;
    this.cursor = last;
    const bodies: string[] = new Array(rows.length);
    let bytes = 0;
    let readings = 0;
    for (let i = 0; i < rows.length; i++) {
      const row = rows[i] as OutboxRow;
      bodies[i] = row.body;
      bytes += row.body.length;
      readings += row.n;
    }
    const batch = `${this.batchHead}${bodies.join(',')}]}`;
    const flight: InFlight = {
      first,
      last,
      rows: rows.map((r) => ({ rx: r.rx, n: r.n })),
      read: { readings, bytes, epoch: this.ctx.outbox.epoch() },
    };
    this.inFlight.add(flight);
    this.inFlightReadings += readings;
    const done = (error?: Error) => this.acknowledged(flight, error);
    if (this.ctx.inProcess) this.ctx.inProcess(this.telemetryTopic, batch, done);
    else this.client?.publish(this.telemetryTopic, batch, { qos: 1 }, done);
  }

  sendDiff(changes: PresenceEntry[]): void {
    if (this.state !== 'connected') return; // the full state follows on reconnect
    const diff: PresenceDiff = {
      type: 'diff',
      gateway: this.ctx.gatewayId,
      ts: this.ctx.clock.now(),
      changes,
    };
    this.client?.publish(upstreamTopic(this.ctx.gatewayId, 'presence'), JSON.stringify(diff), {
      qos: 1,
    });
    this.ctx.counters.messagesOut.inc({ kind: 'presence' });
    // Keep the retained full state current for a backend that subscribes later (a restarted
    // Node-RED): at most once a second, and less often for a large fleet (1 ms per device), so
    // 10,000 devices connecting at once do not turn into megabytes of JSON a second.
    if (this.refresh === undefined) {
      const delay = Math.max(FULL_STATE_REFRESH_MS, this.ctx.presence().length);
      this.refresh = this.ctx.clock.setTimeout(() => {
        this.refresh = undefined;
        void this.sendFullState();
      }, delay);
    }
  }

  sendAck(ack: UpstreamAck): void {
    // Queued by MQTT.js while disconnected, sent on reconnect.
    this.client?.publish(upstreamTopic(this.ctx.gatewayId, 'ack'), JSON.stringify(ack), { qos: 1 });
    this.ctx.counters.messagesOut.inc({ kind: 'ack' });
  }

  /** Publishes the full state now (on connect, at start, and when the gateway stops). */
  sendFullState(): Promise<void> {
    const full: PresenceFull = {
      type: 'full',
      gateway: this.ctx.gatewayId,
      ts: this.ctx.clock.now(),
      devices: this.ctx.presence(),
    };
    const client = this.client;
    if (!client || this.state !== 'connected') return Promise.resolve();
    this.ctx.counters.messagesOut.inc({ kind: 'devices' });
    return new Promise((resolve) => {
      client.publish(
        upstreamTopic(this.ctx.gatewayId, 'devices'),
        JSON.stringify(full),
        { qos: 1, retain: true },
        () => resolve(),
      );
    });
  }

  private acknowledged(flight: InFlight, error: Error | undefined): void {
    this.inFlight.delete(flight);
    this.inFlightReadings -= flight.read.readings;
    if (error) {
      // Only when the client is ended (gateway stopping): the rows stay and go out next start.
      this.ctx.log.debug({ err: error.message }, 'telemetry batch not acknowledged');
      return;
    }
    this.ctx.outbox.acknowledge(flight.first, flight.last, flight.read);
    const now = this.ctx.clock.now();
    for (const row of flight.rows) this.ctx.counters.forwardLatency.observe(now - row.rx, row.n);
    this.ctx.counters.readingsOut.inc({}, flight.read.readings);
    this.ctx.counters.messagesOut.inc({ kind: 'telemetry' });
    this.pump();
  }
}
