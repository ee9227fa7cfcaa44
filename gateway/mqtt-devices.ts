/**
 * The MQTT device connector: Aedes's hooks and events turned into identities, ACL decisions,
 * ingest and presence.
 *
 * Where the PUBACK waits: for a QoS 1 PUBLISH, Aedes (lib/handlers/publish.js) runs
 * `authorizePublish` first and writes the PUBACK only when its callback is called; the
 * `published` hook and the 'publish' event come after the PUBACK. So ingest runs inside
 * `authorizePublish`, and its callback is called once the outbox transaction has committed.
 *
 * Rejected messages are acknowledged and dropped (as Mosquitto does for a denied QoS 1
 * publish under MQTT 3.1.1, which has no negative PUBACK): their topic is rewritten to the
 * private `$fs/dropped` topic, which authorizeForward never delivers, and retain is cleared.
 * Only a full outbox under `reject-new` refuses (the client is disconnected without PUBACK,
 * so the device keeps the reading and sends it again later).
 */
import type { Aedes, AuthenticateError, Client } from 'aedes';
import {
  type Command,
  cmdTopic,
  DEVICE_ID_PATTERN,
  type OfflineReason,
  statusTopic,
  UPSTREAM_TOPIC_ROOT,
} from '../contract/index.js';
import type { Logger } from '../lib/log.js';
import { mayPublish, maySubscribe } from './acl.js';
import type { BrokerHooks, RunningBroker } from './broker.js';
import type { CredentialStore, Identity } from './credentials.js';
import { parseDeviceTopicFast } from './device-topic.js';
import type { Ingest } from './ingest.js';
import type { Presence } from './presence.js';
import { TelemetryHearers } from './telemetry-hearers.js';

const DROPPED_TOPIC = '$fs/dropped';

interface ClientInfo {
  identity: Identity;
  /** The device this connection speaks for: its credential's, or (anonymous) its first publish's. */
  device: string | undefined;
  /** Why this connection is ending, when the gateway knows better than the socket. */
  ending: OfflineReason | undefined;
}

export interface MqttDevicesContext {
  gatewayId: string;
  credentials: CredentialStore;
  allowAnonymous: boolean;
  ingest: Ingest;
  presence: Presence;
  log: Logger;
  /** A device sent its birth, so it has subscribed and may receive commands. */
  onDeviceReady(device: string): void;
}

type AuthCode = 4 | 5;

function authError(message: string, returnCode: AuthCode): AuthenticateError {
  return Object.assign(new Error(message), { returnCode }) as AuthenticateError;
}

export class MqttDevices {
  private readonly infos = new WeakMap<Client, ClientInfo>();
  /** The connection that currently speaks for each device. */
  private readonly byDevice = new Map<string, Client>();
  private broker: RunningBroker | undefined;
  private stopping = false;
  private readonly hearers = new TelemetryHearers();
  /** Telemetry taken by ingest that no subscriber could hear: Aedes need not route it. */
  private readonly unrouted = new WeakSet<object>();

  constructor(private readonly ctx: MqttDevicesContext) {}

  hooks(): BrokerHooks {
    return {
      authenticate: (client, username, password, done) => {
        void this.authenticate(client, username, password?.toString('utf8')).then(
          (identity) => {
            this.infos.set(client, { identity, device: undefined, ending: undefined });
            done(null, true);
          },
          (error: AuthenticateError) => done(error, false),
        );
      },
      authorizePublish: (client, packet, done) => {
        if (!client) return done(null); // a will published by Aedes for a client long gone
        if (packet.topic.startsWith('$'))
          return done(new Error('topics starting with $ are reserved'));
        this.authorizePublish(client, packet, done);
      },
      authorizeSubscribe: (client, subscription, done) => {
        const info = this.infos.get(client);
        const decision = info
          ? maySubscribe(info.identity, subscription.topic)
          : { ok: false as const, detail: 'unknown client' };
        if (!decision.ok) {
          this.ctx.log.warn({ client: client.id, topic: subscription.topic }, decision.detail);
          return done(null, null); // SUBACK 0x80 for this filter
        }
        done(null, subscription);
      },
      authorizeForward: (_client, packet) => (packet.topic.startsWith('$fs/') ? null : packet),
    };
  }

  attach(aedes: Aedes): void {
    this.hearers.attach(aedes);
    // Aedes calls broker.publish(packet, client, done) after the PUBACK of each publish
    // (lib/handlers/publish.js); for telemetry nobody subscribed to, that routing is skipped.
    type InternalPublish = (packet: object, client: unknown, done?: (e?: Error) => void) => void;
    const broker = aedes as unknown as { publish: InternalPublish };
    const route = broker.publish.bind(aedes);
    broker.publish = (packet, client, done) => {
      if (this.unrouted.delete(packet)) {
        if (typeof done === 'function') done();
        return;
      }
      route(packet, client, done);
    };
    aedes.on('client', (client) => {
      const info = this.infos.get(client);
      if (info?.identity.kind === 'device') this.bind(client, info, info.identity.deviceId);
    });
    aedes.on('keepaliveTimeout', (client) => {
      const info = this.infos.get(client);
      if (info) info.ending ??= 'keepalive';
    });
    aedes.on('clientDisconnect', (client) => this.onDisconnect(client));
    aedes.on('clientError', (client, error) => {
      this.ctx.log.debug({ client: client.id, err: error.message }, 'client error');
    });
  }

  setBroker(broker: RunningBroker | undefined): void {
    this.broker = broker;
  }

  /** The broker is going away: every device it carried is offline for this reason. */
  markAllOffline(reason: OfflineReason): void {
    this.stopping = true;
    for (const device of this.byDevice.keys()) this.ctx.presence.leave(device, reason);
    this.byDevice.clear();
  }

  resume(): void {
    this.stopping = false;
  }

  /**
   * Closes the connections of devices whose credential was revoked (`fullstack provision
   * --revoke` while they were connected): a revoked device must not keep publishing.
   */
  dropRevoked(): string[] {
    const dropped: string[] = [];
    for (const [device, client] of this.byDevice) {
      const info = this.infos.get(client);
      if (info?.identity.kind !== 'device' || this.ctx.credentials.hasDevice(device)) continue;
      this.ctx.log.warn({ device }, 'credential revoked: closing the connection');
      info.ending = 'lost';
      client.close();
      dropped.push(device);
    }
    return dropped;
  }

  /** Delivers a command to a connected device's cmd topic. */
  deliver(device: string, command: Command): void {
    void this.broker?.publish(cmdTopic(device), JSON.stringify(command), { qos: 1, retain: false });
  }

  /** Publishes the device's retained offline status with the gateway's reason. */
  publishOffline(device: string, reason: OfflineReason, ts: number): void {
    void this.broker
      ?.publish(statusTopic(device), JSON.stringify({ online: false, reason, ts }), {
        qos: 1,
        retain: true,
      })
      .catch((error: Error) =>
        this.ctx.log.debug({ device, err: error.message }, 'status publish failed'),
      );
  }

  /** Closes a device's connection (its handler gave up, or its credential was revoked). */
  disconnect(device: string, reason: OfflineReason): void {
    const client = this.byDevice.get(device);
    if (!client) return;
    const info = this.infos.get(client);
    if (info) info.ending = reason;
    client.close();
  }

  private async authenticate(
    client: Client,
    username: string | undefined,
    password: string | undefined,
  ): Promise<Identity> {
    let identity: Identity;
    if (username !== undefined && username !== '') {
      const verified = await this.ctx.credentials.verify(username, password ?? '');
      if (!verified) throw authError(`bad username or password for "${username}"`, 4);
      identity = verified;
    } else if (this.ctx.allowAnonymous) {
      identity = { kind: 'anonymous' };
    } else {
      throw authError('anonymous clients are not allowed on a listener beyond loopback', 5);
    }
    if (
      identity.kind === 'device' &&
      client.id !== identity.deviceId &&
      DEVICE_ID_PATTERN.test(client.id)
    ) {
      // A device's client id, when it looks like a device id, must be its own.
      throw authError(`device ${identity.deviceId} may not connect as client id "${client.id}"`, 5);
    }
    // [MQTT-3.1.4-2]: a second connection with the same client id takes over the first.
    const existing = this.aedesClients()?.[client.id];
    if (existing) {
      const info = this.infos.get(existing);
      if (info) info.ending = 'replaced';
    }
    return identity;
  }

  private aedesClients(): Record<string, Client> | undefined {
    return (this.broker?.aedes as unknown as { clients?: Record<string, Client> } | undefined)
      ?.clients;
  }

  /** Calls `done` with null to acknowledge (dropped or not), with an error to refuse. */
  private authorizePublish(
    client: Client,
    packet: { topic: string; payload: Buffer | string; retain: boolean; qos: number },
    done: (error: Error | null) => void,
  ): void {
    const info = this.infos.get(client);
    if (!info) {
      done(new Error('publish from a client that never authenticated'));
      return;
    }
    const topic = packet.topic;
    const parsed = parseDeviceTopicFast(topic);
    const device = parsed.ok ? parsed.deviceId : (info.device ?? client.id);
    const message = {
      device,
      client: client.id,
      via: 'mqtt' as const,
      topic,
      payload: packet.payload,
      parsed,
    };
    const drop = () => {
      packet.topic = DROPPED_TOPIC;
      packet.retain = false;
      done(null);
    };

    const acl = mayPublish(info.identity, topic, this.ctx.gatewayId, info.device, parsed);
    if (!acl.ok) {
      this.ctx.ingest.reject(
        { ...message, device: info.device ?? device },
        'forbidden',
        acl.detail,
      );
      drop();
      return;
    }
    if (!parsed.ok) {
      // The backend (or a trusted loopback tool) speaks on the upstream topics; that is no device's business.
      if (
        info.identity.kind === 'service' ||
        (info.identity.kind !== 'device' && topic.startsWith(`${UPSTREAM_TOPIC_ROOT}/`))
      ) {
        done(null);
        return;
      }
      this.ctx.ingest.reject(
        message,
        'topic',
        `${parsed.detail}; devices publish on fs/v1/<id>/{status,telemetry,ack,sys}`,
      );
      drop();
      return;
    }
    if (info.device === undefined) {
      const squatter = this.speaksForAnother(client, info, parsed.deviceId);
      if (squatter) {
        this.ctx.ingest.reject(message, 'forbidden', squatter);
        drop();
        return;
      }
      this.bind(client, info, parsed.deviceId);
    }
    this.ctx.ingest.accept(message, (verdict, error) => {
      if (error) {
        done(error);
        return;
      }
      if (!verdict.ok) {
        if (verdict.reason === 'outbox-full') {
          done(new Error(verdict.detail));
          return;
        }
        drop();
        return;
      }
      if (parsed.kind === 'telemetry' && !packet.retain && !this.hearers.any()) {
        this.unrouted.add(packet);
      } else if (parsed.kind === 'status') {
        // The gateway publishes each device's offline status itself, with its own reason.
        if (!/"online"\s*:\s*true/.test(packet.payload.toString())) {
          drop();
          return;
        }
        // A birth comes after the device subscribed to its cmd topic: commands may flow now.
        this.ctx.onDeviceReady(device);
      }
      done(null);
    });
  }

  /**
   * An anonymous client may not take over a device that is online on another connection: on
   * loopback anyone may connect, but not kick a live device off and write in its name. (The
   * same client id is MQTT's own takeover, which the broker does before we see a publish.)
   */
  private speaksForAnother(client: Client, info: ClientInfo, device: string): string | undefined {
    if (info.identity.kind !== 'anonymous') return undefined;
    const current = this.byDevice.get(device);
    if (!current || current === client || client.id === device) return undefined;
    return `device ${device} is online on another connection (client id "${current.id}"); anonymous client "${client.id}" may not publish as it`;
  }

  private bind(client: Client, info: ClientInfo, device: string): void {
    info.device = device;
    const previous = this.byDevice.get(device);
    if (previous && previous !== client) {
      // The same device on a new connection (another client id): the old one is replaced.
      const old = this.infos.get(previous);
      if (old) old.ending = 'replaced';
      this.ctx.presence.leave(device, 'replaced');
      previous.close();
    }
    this.byDevice.set(device, client);
    this.ctx.presence.join(device, 'mqtt');
  }

  private onDisconnect(client: Client): void {
    const info = this.infos.get(client);
    if (!info?.device || this.stopping) return;
    if (this.byDevice.get(info.device) !== client) {
      // Already replaced by a newer connection: that one's presence stands; record nothing.
      return;
    }
    this.byDevice.delete(info.device);
    // Aedes sets _disconnected only when the client sent DISCONNECT (lib/client.js).
    const clean = (client as unknown as { _disconnected?: boolean })._disconnected === true;
    this.ctx.presence.leave(info.device, info.ending ?? (clean ? 'clean' : 'lost'));
  }
}
