/**
 * The backend's connection to FullStack: one MQTT client on the backend broker, subscribed to
 * the gateways' upstream topics, keeping the fleet state and the commands in flight, plus the
 * readings store and the alert log when a node needs them. The Node-RED config node is a thin wrapper around this.
 */
import mqtt from 'mqtt';
import { type UpstreamKind, upstreamTopic } from '../../contract/topics.js';
import type { ForwardedTelemetry, UpstreamCommand } from '../../contract/upstream.js';
import { type Clock, systemClock, type TimerId } from '../../lib/clock.js';
import { AlertLog } from './alert-log.js';
import { type CommandOutcome, type CommandRequest, CommandTracker } from './commands.js';
import { type FleetChange, FleetState } from './fleet.js';
import { type OtaProgress, OtaProgressTracker } from './ota-progress.js';

/** How often stalled OTA updates are looked for (ota-progress.ts, OTA_STALL_MS). */
const OTA_STALL_CHECK_MS = 30_000;

import { DEFAULT_RETENTION, ReadingStore, type RetentionOptions } from './store.js';
import { parseUpstream } from './upstream-parse.js';

export const CONNECTION_STATES = ['connecting', 'connected', 'reconnecting', 'closed'] as const;
export type ConnectionState = (typeof CONNECTION_STATES)[number];

export interface BackendOptions {
  url: string;
  username?: string;
  password?: string;
  /** A gateway id, or `+` for every gateway. */
  gateway: string;
  /**
   * An MQTT shared-subscription group: Node-RED instances with the same group split the
   * telemetry between them (each reading reaches one of them). Presence and acks are not
   * shared: every instance keeps the whole fleet and hears the acks of its own commands.
   */
  shareGroup?: string;
  /** SQLite file for stored readings; absent when nothing needs storage. */
  database?: string;
  retention?: RetentionOptions;
  clientId?: string;
  clock?: Clock;
  /** Where problems with incoming messages are reported (Node-RED's node.warn). */
  warn: (text: string) => void;
}

type Listener<T> = (value: T) => void;

class Topic<T> {
  private readonly listeners = new Set<Listener<T>>();
  on(listener: Listener<T>): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }
  emit(value: T, warn: (text: string) => void): void {
    for (const listener of this.listeners) {
      // One broken listener (a node's handler) must not stop the others.
      try {
        listener(value);
      } catch (error) {
        warn(`listener failed: ${(error as Error).message}`);
      }
    }
  }
}

export interface TelemetryEvent {
  gateway: string;
  items: ForwardedTelemetry[];
}

export const SHARE_GROUP_PATTERN = /^[A-Za-z0-9_-]{1,64}$/;

/** The topic filter for one upstream kind; telemetry through `$share/<group>/` when sharing. */
export function subscriptionFor(kind: UpstreamKind, gateway: string, shareGroup?: string): string {
  const topic = upstreamTopic(gateway, kind);
  if (!shareGroup || kind !== 'telemetry') return topic;
  if (!SHARE_GROUP_PATTERN.test(shareGroup)) {
    throw new Error(`share group "${shareGroup}" does not match ${SHARE_GROUP_PATTERN.source}`);
  }
  return `$share/${shareGroup}/${topic}`;
}

export class Backend {
  readonly fleet = new FleetState();
  readonly telemetry = new Topic<TelemetryEvent>();
  readonly changes = new Topic<FleetChange[]>();
  readonly stateChanges = new Topic<ConnectionState>();
  /** OTA progress per device, from the gateways' `events` (see ota-progress.ts). */
  readonly ota = new OtaProgressTracker();
  readonly otaChanges = new Topic<OtaProgress>();
  private readonly commands: CommandTracker;
  private client: mqtt.MqttClient | undefined;
  private store: ReadingStore | undefined;
  private alerts: AlertLog | undefined;
  private current: ConnectionState = 'closed';
  private stallTimer: TimerId | undefined;

  constructor(private readonly options: BackendOptions) {
    // Refuse a bad group now, not later inside the MQTT client's connect handler.
    subscriptionFor('telemetry', options.gateway, options.shareGroup);
    this.commands = new CommandTracker(options.clock ?? systemClock, (command) =>
      this.publishCommand(command),
    );
  }

  get state(): ConnectionState {
    return this.current;
  }

  start(): void {
    const { options } = this;
    if (options.database) this.seedFleet();
    this.stallTimer = this.clock.setInterval(() => this.expireStalledOta(), OTA_STALL_CHECK_MS);
    this.setState('connecting');
    const client = mqtt.connect(options.url, {
      clientId: options.clientId ?? `fullstack-nodered-${Math.random().toString(16).slice(2, 10)}`,
      username: options.username || undefined,
      password: options.password || undefined,
      reconnectPeriod: 1000,
      connectTimeout: 10_000,
    });
    this.client = client;
    const kinds = ['telemetry', 'presence', 'devices', 'ack', 'events'] as const;
    // "connected" only once the broker granted the subscriptions: from then on nothing a
    // gateway sends is missed (acks for commands included).
    client.on('connect', () => {
      client.subscribe(
        kinds.map((kind) => subscriptionFor(kind, options.gateway, options.shareGroup)),
        { qos: 1 },
        (error) => {
          if (error) options.warn(`subscribe failed: ${error.message}`);
          else this.setState('connected');
        },
      );
    });
    client.on('reconnect', () => this.setState('reconnecting'));
    client.on('close', () => {
      if (this.current !== 'closed') this.setState('reconnecting');
    });
    client.on('error', (error) => options.warn(`MQTT ${options.url}: ${error.message}`));
    client.on('message', (topic, payload) => this.onMessage(topic, payload));
  }

  async stop(): Promise<void> {
    this.setState('closed');
    this.clock.clearInterval(this.stallTimer);
    this.commands.cancelAll('the backend connection is closing');
    await this.client?.endAsync();
    this.client = undefined;
    this.store?.close();
    this.store = undefined;
    this.alerts?.close();
    this.alerts = undefined;
  }

  hasDatabase(): boolean {
    return Boolean(this.options.database);
  }

  /** The readings store (opened on first use); throws when no database is configured. */
  readings(): ReadingStore {
    if (!this.store) {
      if (!this.options.database)
        throw new Error('no database is configured on the FullStack backend node');
      this.store = new ReadingStore(
        this.options.database,
        this.options.retention ?? DEFAULT_RETENTION,
      );
    }
    return this.store;
  }

  /** The alert log in the same database (opened on first use); undefined with no database. */
  alertLog(): AlertLog | undefined {
    if (!this.alerts && this.options.database) this.alerts = new AlertLog(this.options.database);
    return this.alerts;
  }

  /** The fleet view starts with the last stored readings (see FleetState.seedStored). */
  private seedFleet(): void {
    try {
      this.fleet.seedStored(this.readings().latest());
    } catch (error) {
      this.options.warn(`reading the last stored readings failed: ${(error as Error).message}`);
    }
  }

  sendCommand(request: CommandRequest): Promise<CommandOutcome> {
    return this.commands.send(request);
  }

  /** Publishes a backend event (an alert) as retained JSON. */
  async publishEvent(topic: string, payload: unknown, retain = false): Promise<void> {
    if (!this.client) throw new Error('the backend connection is not started');
    await this.client.publishAsync(topic, JSON.stringify(payload), { qos: 1, retain });
  }

  private async publishCommand(command: UpstreamCommand): Promise<void> {
    const client = this.client;
    if (!client || this.current !== 'connected')
      throw new Error(`the backend broker is ${this.current}`);
    const gateway = this.fleet.get(command.device)?.gateway ?? this.options.gateway;
    if (gateway === '+' || gateway === '#') {
      throw new Error(`device "${command.device}" is unknown: no gateway has reported it`);
    }
    await client.publishAsync(upstreamTopic(gateway, 'cmd'), JSON.stringify(command), { qos: 1 });
  }

  private onMessage(topic: string, payload: Buffer): void {
    const parsed = parseUpstream(topic, payload);
    if (!parsed.ok) {
      this.options.warn(parsed.detail);
      // Only our subscriptions reach here, so the suffix names the kind.
      if (topic.endsWith('/events')) this.ota.reject(parsed.detail);
      return;
    }
    const message = parsed.value;
    const warn = this.options.warn;
    switch (message.kind) {
      case 'telemetry': {
        const changes = this.fleet.applyTelemetry(message.gateway, message.payload.items);
        this.telemetry.emit({ gateway: message.gateway, items: message.payload.items }, warn);
        if (changes.length) this.changes.emit(changes, warn);
        break;
      }
      case 'presence': {
        const changes = this.fleet.applyDiff(message.gateway, message.payload.changes);
        if (changes.length) this.changes.emit(changes, warn);
        break;
      }
      case 'devices': {
        const changes = this.fleet.applyFull(message.gateway, message.payload);
        this.changes.emit(changes, warn);
        break;
      }
      case 'ack':
        this.commands.handleAck(message.payload);
        break;
      case 'events': {
        const received = this.ota.receive(message.gateway, message.payload, this.clock.now());
        if (!received.ok) warn(`${topic}: ${received.detail}`);
        else if (received.value) this.otaChanges.emit(received.value, warn);
        break;
      }
    }
  }

  private get clock(): Clock {
    return this.options.clock ?? systemClock;
  }

  private expireStalledOta(): void {
    for (const progress of this.ota.expireStalled(this.clock.now())) {
      this.options.warn(`OTA of ${progress.device}: ${progress.text}`);
      this.otaChanges.emit(progress, this.options.warn);
    }
  }

  private setState(state: ConnectionState): void {
    if (state === this.current) return;
    this.current = state;
    this.stateChanges.emit(state, this.options.warn);
  }
}
