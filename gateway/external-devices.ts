/**
 * Devices on an external broker (Mosquitto on the Pi): the gateway is a client of it. It
 * subscribes to every device topic with a persistent session at QoS 1 and acknowledges each
 * message to the broker only after ingest let it through (MQTT.js `customHandleAcks`, MQTT 5), so a
 * reading is never gone from both the broker and the outbox: the at-least-once promise
 * holds. The price: MQTT.js handles one incoming message at a time, so each waits for its own
 * commit (use `outbox.synchronous: "NORMAL"` for higher rates in this mode).
 *
 * Authentication and ACLs are the broker's (docs/gateway.md has the Mosquitto config).
 * Presence comes from the status topic: a retained birth is online, the device's will or
 * goodbye is offline with the reason it carries. The broker's connection events are not
 * visible to a client, so `keepalive` shows as the will's `lost`, and `replaced` is not seen.
 */
import mqtt, { type MqttClient } from 'mqtt';
import {
  type Command,
  cmdTopic,
  DEVICE_TOPIC_ROOT,
  OFFLINE_REASONS,
  type OfflineReason,
  parseDeviceTopic,
  statusTopic,
} from '../contract/index.js';
import type { Clock } from '../lib/clock.js';
import type { Logger } from '../lib/log.js';
import type { Ingest } from './ingest.js';
import { endClient } from './mqtt-end.js';
import type { Presence } from './presence.js';
import type { ChildHandle } from './supervisor/types.js';

export interface ExternalDevicesContext {
  url: string;
  username?: string;
  password?: string;
  gatewayId: string;
  ingest: Ingest;
  presence: Presence;
  clock: Clock;
  log: Logger;
  onDeviceReady(device: string): void;
  /** How long a reading refused by a full outbox (reject-new) waits before it is tried again. */
  retryMs?: number;
}

const KINDS = ['status', 'telemetry', 'ack', 'sys'] as const;

type LinkState = 'connecting' | 'connected' | 'disconnected' | 'stopped';

export class ExternalDevices {
  private client: MqttClient | undefined;
  private state: LinkState = 'connecting';
  /** Devices this link has seen online, to mark offline when the link goes. */
  private readonly seen = new Set<string>();

  constructor(private readonly ctx: ExternalDevicesContext) {}

  linkState(): LinkState {
    return this.state;
  }

  /** Connects and subscribes; rejects if the broker cannot be reached within 10 s. */
  async start(): Promise<ChildHandle> {
    const { ctx } = this;
    const client = mqtt.connect(ctx.url, {
      clientId: `fs-gw-${ctx.gatewayId}-devices`,
      username: ctx.username,
      password: ctx.password,
      // A persistent session: what arrives while the gateway is down waits in the broker
      // (MQTT 5 ends a session with the connection unless it is given an expiry: a day).
      clean: false,
      properties: { sessionExpiryInterval: 24 * 3600 },
      reconnectPeriod: 1000,
      // MQTT 5: MQTT.js offers customHandleAcks (the PUBACK after ingest) only there.
      protocolVersion: 5,
      customHandleAcks: (topic, payload, _packet, done) => {
        void this.handle(topic, payload).then(
          () => done(0),
          (error: Error) => {
            ctx.log.error(
              { topic, err: error.message },
              'device message not handled; not acknowledged',
            );
            done(error);
          },
        );
      },
    });
    this.client = client;
    let finish!: () => void;
    const done = new Promise<void>((resolve) => {
      finish = resolve;
    });
    const subscribed = new Promise<void>((resolve, reject) => {
      const timer = ctx.clock.setTimeout(
        () => reject(new Error(`cannot reach the device broker at ${ctx.url} within 10 s`)),
        10_000,
      );
      client.on('connect', () => {
        this.state = 'connected';
        const filters = Object.fromEntries(
          KINDS.map((k) => [`${DEVICE_TOPIC_ROOT}/+/${k}`, { qos: 1 as const }]),
        );
        client.subscribe(filters, (error) => {
          if (error) {
            ctx.log.error({ err: error.message }, 'cannot subscribe to device topics');
            return;
          }
          ctx.clock.clearTimeout(timer);
          resolve();
        });
      });
    });
    client.on('close', () => {
      if (this.state === 'stopped') return;
      this.state = 'disconnected';
    });
    client.on('error', (error) => ctx.log.warn({ err: error.message }, 'device broker error'));
    try {
      await subscribed;
    } catch (error) {
      client.end(true);
      throw error;
    }
    return {
      done,
      stop: async () => {
        // A clean DISCONNECT when connected; when not, there is nobody to wait for.
        const force = this.state !== 'connected';
        this.state = 'stopped';
        await endClient(client, force, ctx.clock);
        finish();
      },
    };
  }

  deliver(device: string, command: Command): void {
    this.client?.publish(cmdTopic(device), JSON.stringify(command), { qos: 1 });
  }

  publishOffline(device: string, reason: OfflineReason, ts: number): void {
    this.client?.publish(statusTopic(device), JSON.stringify({ online: false, reason, ts }), {
      qos: 1,
      retain: true,
    });
  }

  markAllOffline(reason: OfflineReason): void {
    for (const device of this.seen) this.ctx.presence.leave(device, reason);
  }

  private async handle(topic: string, payload: Buffer): Promise<void> {
    const parsed = parseDeviceTopic(topic);
    const device = parsed.ok ? parsed.deviceId : 'unknown';
    if (parsed.ok && parsed.kind === 'status') {
      const offline = this.offlineReason(payload);
      if (offline) {
        // A will, a goodbye, or the gateway's own retained status echoed back.
        this.ctx.presence.leave(device, offline);
        return;
      }
      if (payload.length === 0) return; // a cleared retained status
    }
    for (;;) {
      const verdict = await this.ctx.ingest.receive({
        device,
        client: 'device-broker',
        via: 'mqtt',
        topic,
        payload,
      });
      if (verdict.ok || verdict.reason !== 'outbox-full') break;
      // reject-new: hold the broker's message (not acknowledged) until there is room.
      await new Promise<void>((resolve) =>
        this.ctx.clock.setTimeout(resolve, this.ctx.retryMs ?? 1000),
      );
      if (this.state === 'stopped') throw new Error('stopping with the outbox full');
    }
    if (parsed.ok && parsed.kind === 'status' && this.ctx.presence.isOnline(device)) {
      this.seen.add(device);
      this.ctx.onDeviceReady(device);
    }
  }

  private offlineReason(payload: Buffer): OfflineReason | undefined {
    if (payload.length === 0 || payload.length > 1024) return undefined;
    try {
      const value = JSON.parse(payload.toString('utf8')) as { online?: unknown; reason?: unknown };
      if (value.online !== false) return undefined;
      return (OFFLINE_REASONS as readonly unknown[]).includes(value.reason)
        ? (value.reason as OfflineReason)
        : 'lost';
    } catch (error) {
      // Not JSON: ingest will reject and dead-letter it; it says nothing about presence.
      this.ctx.log.debug({ err: (error as Error).message }, 'status payload is not JSON');
      return undefined;
    }
  }
}
