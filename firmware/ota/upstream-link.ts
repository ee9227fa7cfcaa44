/**
 * OtaLink through the gateway, as a backend service: commands go on the upstream `cmd` topic
 * and come back on `ack` (the gateway's router delivers them to the device and matches the
 * device's ack), births are read from the upstream `presence` diffs, and progress is published
 * on the upstream `events` topic for the dashboard.
 */
import { randomBytes } from 'node:crypto';
import mqtt, { type MqttClient } from 'mqtt';
import type { Ack, Birth } from '../../contract/payloads.js';
import { upstreamTopic } from '../../contract/topics.js';
import type {
  PresenceDiff,
  PresenceEntry,
  PresenceFull,
  UpstreamAck,
  UpstreamCommand,
} from '../../contract/upstream.js';
import type { OtaEvent } from './protocol.js';
import type { BirthWatch, OtaLink } from './sender.js';

export interface UpstreamLinkOptions {
  url: string;
  gatewayId: string;
  username?: string;
  password?: string;
}

type Listener = (topic: string, payload: unknown) => void;

export class UpstreamOtaLink implements OtaLink {
  private readonly listeners = new Set<Listener>();
  private sequence = 0;
  /** The last birth seen per device, from the retained full state and the diffs. */
  private readonly births = new Map<string, Birth>();
  /** Every device the gateway knows, online or not, from the same messages. */
  private readonly entries = new Map<string, PresenceEntry>();
  private fullState = false;
  private readonly prefix = randomBytes(3).toString('hex');

  private constructor(
    private readonly client: MqttClient,
    private readonly gatewayId: string,
  ) {
    client.on('message', (topic, payload) => {
      let value: unknown;
      try {
        value = JSON.parse(payload.toString('utf8'));
      } catch {
        // Not ours to judge: the gateway publishes JSON; anything else is ignored here.
        return;
      }
      this.track(topic, value);
      for (const listener of this.listeners) listener(topic, value);
    });
  }

  static async connect(options: UpstreamLinkOptions): Promise<UpstreamOtaLink> {
    const client = mqtt.connect(options.url, {
      username: options.username,
      password: options.password,
      reconnectPeriod: 1000,
      connectTimeout: 10_000,
      clientId: `fullstack-ota-${randomBytes(4).toString('hex')}`,
    });
    await new Promise<void>((resolve, reject) => {
      client.once('connect', () => resolve());
      client.once('error', (error) => {
        client.end(true);
        reject(new Error(`cannot connect to the gateway broker ${options.url}: ${error.message}`));
      });
    });
    const link = new UpstreamOtaLink(client, options.gatewayId);
    await client.subscribeAsync(
      [
        upstreamTopic(options.gatewayId, 'ack'),
        upstreamTopic(options.gatewayId, 'presence'),
        upstreamTopic(options.gatewayId, 'devices'),
      ],
      { qos: 1 },
    );
    return link;
  }

  private waitFor<T>(
    match: (topic: string, payload: unknown) => T | undefined,
    timeoutMs: number,
  ): Promise<T | null> {
    return new Promise((resolve) => {
      const listener: Listener = (topic, payload) => {
        const found = match(topic, payload);
        if (found === undefined) return;
        clearTimeout(timer);
        this.listeners.delete(listener);
        resolve(found);
      };
      const timer = setTimeout(() => {
        this.listeners.delete(listener);
        resolve(null);
      }, timeoutMs);
      this.listeners.add(listener);
    });
  }

  async command(
    device: string,
    name: string,
    args: Record<string, unknown>,
    timeoutMs: number,
  ): Promise<Ack> {
    const id = `ota-${this.prefix}-${++this.sequence}`;
    const ackTopic = upstreamTopic(this.gatewayId, 'ack');
    const answer = this.waitFor<Ack>((topic, payload) => {
      const upstream = payload as UpstreamAck;
      return topic === ackTopic && upstream?.device === device && upstream.ack?.id === id
        ? upstream.ack
        : undefined;
    }, timeoutMs + 2000);
    const command: UpstreamCommand = { device, id, name, args, timeoutMs };
    await this.client.publishAsync(upstreamTopic(this.gatewayId, 'cmd'), JSON.stringify(command), {
      qos: 1,
    });
    return (
      (await answer) ?? {
        id,
        ok: false,
        error: `no ack from the gateway within ${timeoutMs + 2000} ms`,
      }
    );
  }

  private track(topic: string, value: unknown): void {
    if (topic === upstreamTopic(this.gatewayId, 'devices')) {
      this.fullState = true;
      this.entries.clear();
      for (const entry of (value as PresenceFull)?.devices ?? []) {
        this.entries.set(entry.device, entry);
        if (entry.birth) this.births.set(entry.device, entry.birth);
      }
    } else if (topic === upstreamTopic(this.gatewayId, 'presence')) {
      for (const entry of (value as PresenceDiff)?.changes ?? []) {
        this.entries.set(entry.device, entry);
        if (entry.online && entry.birth) this.births.set(entry.device, entry.birth);
      }
    }
  }

  /** Waits (up to 2 s) for the retained full state, which arrives just after subscribing. */
  private async awaitFullState(): Promise<boolean> {
    for (let waited = 0; !this.fullState && waited < 2000; waited += 50) {
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    return this.fullState;
  }

  async currentBirth(device: string): Promise<Birth | null> {
    await this.awaitFullState();
    return this.births.get(device) ?? null;
  }

  /**
   * Every device the gateway knows (its retained `devices` state, kept current by the
   * `presence` diffs), or null when the gateway published no state on this broker.
   */
  async knownDevices(expected?: string): Promise<PresenceEntry[] | null> {
    if (!(await this.awaitFullState())) return null;
    // The retained state trails presence by up to about a second (the gateway republishes it
    // after a change): a device that has just come online may not be in it yet, so give the
    // expected one a moment to appear before anyone is told it is unknown or offline.
    for (
      let waited = 0;
      expected && !this.entries.get(expected)?.online && waited < 3000;
      waited += 50
    ) {
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    return [...this.entries.values()];
  }

  watchBirths(device: string): BirthWatch {
    const presenceTopic = upstreamTopic(this.gatewayId, 'presence');
    const queue: Birth[] = [];
    let wake: (() => void) | undefined;
    const listener: Listener = (topic, payload) => {
      if (topic !== presenceTopic) return;
      for (const entry of (payload as PresenceDiff)?.changes ?? []) {
        if (entry.device === device && entry.online && entry.birth) queue.push(entry.birth);
      }
      wake?.();
    };
    this.listeners.add(listener);
    return {
      next: async (timeoutMs) => {
        const deadline = Date.now() + timeoutMs;
        while (queue.length === 0 && Date.now() < deadline) {
          await new Promise<void>((resolve) => {
            const timer = setTimeout(resolve, deadline - Date.now());
            wake = () => {
              clearTimeout(timer);
              resolve();
            };
          });
          wake = undefined;
        }
        return queue.shift() ?? null;
      },
      stop: () => this.listeners.delete(listener),
    };
  }

  /** The device's next birth after this call, or null after `timeoutMs`. */
  async nextBirth(device: string, timeoutMs: number): Promise<Birth | null> {
    const watch = this.watchBirths(device);
    try {
      return await watch.next(timeoutMs);
    } finally {
      watch.stop();
    }
  }

  publishEvent(event: OtaEvent): void {
    this.client.publish(upstreamTopic(this.gatewayId, 'events'), JSON.stringify(event), { qos: 0 });
  }

  close(): Promise<void> {
    return this.client.endAsync();
  }
}
