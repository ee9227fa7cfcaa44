/**
 * The gateway's supervision tree, as an ordered list (rest_for_one: a crash restarts the
 * child and every child after it, because each later child uses the earlier ones).
 */
import type { OfflineReason } from '../contract/index.js';
import type { Clock } from '../lib/clock.js';
import type { Logger } from '../lib/log.js';
import type { RunningBroker } from './broker.js';
import { Checkpointer } from './checkpointer.js';
import { CommandRouter } from './commands.js';
import type { GatewaySettings } from './config.js';
import type { CredentialStore } from './credentials.js';
import { DeadLetterStore } from './dead-letters.js';
import { startDeviceSide } from './device-side.js';
import type { ExternalDevices } from './external-devices.js';
import { Forwarder } from './forwarder.js';
import { type Health, startHttp } from './http.js';
import { Ingest } from './ingest.js';
import type { GatewayCounters, Metrics } from './metrics.js';
import type { MqttDevices } from './mqtt-devices.js';
import { Outbox } from './outbox.js';
import { handle, need } from './part-handle.js';
import { Presence } from './presence.js';
import { SerialBoards } from './serial/boards.js';
import { type SerialPortAccess, systemSerialPorts } from './serial/ports.js';
import { DeviceSessions } from './sessions.js';
import { type Db, databasePath, openDatabase } from './store.js';
import { type DynamicSupervisor, startDynamicSupervisor } from './supervisor/dynamic.js';
import type { ChildSpec, Supervisor, SupervisorEvent } from './supervisor/index.js';
import { WalSync } from './wal-sync.js';

/** Everything the children build and share; later children read what earlier ones set. */
export interface GatewayParts {
  settings: GatewaySettings;
  clock: Clock;
  log: Logger;
  metrics: Metrics;
  counters: GatewayCounters;
  credentials: CredentialStore;
  dataDir: string;
  host: string;
  mqttPort: number;
  httpPort: number;
  allowAnonymous: boolean;
  upstream: { url: string; username?: string; password?: string };
  embeddedUpstream: boolean;
  startedAt: number;
  supervisor: Supervisor | undefined;
  db?: Db;
  outbox?: Outbox;
  deadLetters?: DeadLetterStore;
  presence?: Presence;
  commands?: CommandRouter;
  devices?: DynamicSupervisor;
  sessions?: DeviceSessions;
  ingest?: Ingest;
  broker?: RunningBroker;
  mqtt?: MqttDevices;
  forwarder?: Forwarder;
  serial?: SerialBoards;
  /** An external device-side broker (Mosquitto); undefined: the embedded Aedes. */
  deviceBroker?: { url: string; username?: string; password?: string };
  external?: ExternalDevices;
  /** Where serial boards are listed and opened (default: this machine's ports). */
  serialPorts?: SerialPortAccess;
}

export function gatewayTree(p: GatewayParts, onEvent: (e: SupervisorEvent) => void): ChildSpec[] {
  // The embedded broker holds each device's retained status, stated by the gateway. An
  // external broker holds the devices' own (births and wills): the gateway leaves it alone.
  const offline = (device: string, reason: OfflineReason, ts: number) => {
    p.mqtt?.publishOffline(device, reason, ts);
  };
  return [
    // 1. The database comes first: presence, the outbox, dead letters and pending commands
    //    all live in it, and nothing may accept a reading before it can be written.
    {
      id: 'store',
      restart: 'permanent',
      start: async () => {
        const synchronous = p.settings.outbox.synchronous;
        const db = openDatabase(p.dataDir, { synchronous, autoCheckpoint: false });
        p.db = db;
        // The outbox has a connection of its own: under FULL it commits without a sync and
        // syncs the log on the thread pool (wal-sync.ts), which the other tables need not.
        const outboxDb = openDatabase(p.dataDir, {
          synchronous: synchronous === 'FULL' ? 'OFF' : synchronous,
          autoCheckpoint: false,
        });
        // Checkpoints run in a worker (checkpointer.ts), never inside a commit on the event loop.
        const checkpointer = new Checkpointer({
          dbPath: databasePath(p.dataDir),
          log: p.log.child({ part: 'checkpointer' }),
          observe: (mode, ms) =>
            (mode === 'RESTART'
              ? p.counters.checkpointRestart
              : p.counters.checkpointPassive
            ).observe(ms),
        });
        try {
          await checkpointer.started();
        } catch (error) {
          outboxDb.close();
          db.close();
          throw error;
        }
        p.outbox = new Outbox(outboxDb, {
          ...p.settings.outbox,
          onBudget: (policy, n) => p.counters.outboxDropped.inc({ policy }, n),
          onCommit: () => p.forwarder?.pump(),
          clock: p.clock,
          walSync:
            synchronous === 'FULL'
              ? new WalSync(`${databasePath(p.dataDir)}-wal`, {
                  minIntervalMs: p.settings.outbox.syncIntervalMs,
                  observe: (ms) => p.counters.outboxSync.observe(ms),
                })
              : undefined,
        });
        p.deadLetters = new DeadLetterStore(db, p.settings.deadLetters.max);
        p.presence = new Presence(db, p.clock);
        p.presence.subscribe({
          onDiff: (changes) => p.forwarder?.sendDiff(changes),
          onOffline: offline,
        });
        p.presence.restore();
        p.commands = new CommandRouter({
          clock: p.clock,
          settings: p.settings.commands,
          db,
          log: p.log.child({ part: 'commands' }),
          counter: p.counters.commands,
          isOnline: (device) => p.presence?.isOnline(device) === true,
          deliver: (device, command) => {
            if (p.presence?.get(device)?.via === 'serial') p.serial?.deliver(device, command);
            else (p.external ?? p.mqtt)?.deliver(device, command);
          },
          answer: (ack) => p.forwarder?.sendAck(ack),
          onDeviceAck: (device, command, ack) => p.serial?.onAck(device, command, ack),
        });
        p.commands.restore();
        return handle(async () => {
          p.commands?.stop();
          p.presence?.flush();
          p.outbox?.close();
          p.deadLetters?.flush();
          await checkpointer.stop();
          outboxDb.close();
          db.close();
        });
      },
    },
    // 2. Device sessions next: every message, MQTT or serial, is handled in its device's
    //    session, so they must exist before any connector can deliver one.
    {
      id: 'sessions',
      restart: 'permanent',
      start: async () => {
        const devices = startDynamicSupervisor({
          id: 'devices',
          clock: p.clock,
          logger: p.log,
          onEvent,
          onGiveUp: (device) => {
            p.sessions?.forget(device);
            p.mqtt?.disconnect(device, 'lost');
          },
        });
        p.devices = devices;
        const outbox = need(p.outbox, 'store');
        const presence = need(p.presence, 'store');
        p.sessions = new DeviceSessions(
          {
            clock: p.clock,
            ingest: p.settings.ingest,
            outbox,
            presence,
            onAck: (device, ack) => p.commands?.deviceAck(device, ack),
            onGoodbye: (device, reason) => presence.leave(device, reason),
            lastSeen: (() => {
              const seen = outbox.lastSeen();
              return (device: string) => seen.get(device);
            })(),
          },
          devices,
          p.log.child({ part: 'sessions' }),
          (device) => p.counters.handlerCrashes.inc({ device }),
        );
        p.ingest = new Ingest({
          clock: p.clock,
          rate: p.settings.ingest,
          sessions: p.sessions,
          deadLetters: need(p.deadLetters, 'store'),
          counters: p.counters,
          afterPending: (done) => outbox.afterPending(done),
        });
        return devices;
      },
    },
    // 3. The device side (the embedded broker, or the link to an external one): only now can
    //    a device connect, because its messages have somewhere to go. Restarting it drops
    //    every MQTT device (presence: gateway-stopping).
    {
      id: 'broker',
      restart: 'permanent',
      start: () => startDeviceSide(p),
    },
    // 4. The forwarder after the broker: in the all-in-one setup its upstream is that broker.
    {
      id: 'forwarder',
      restart: 'permanent',
      start: async () => {
        const forwarder = new Forwarder({
          gatewayId: p.settings.gatewayId,
          url: p.upstream.url,
          username: p.upstream.username,
          password: p.upstream.password,
          waitForConnect: p.embeddedUpstream || p.deviceBroker !== undefined,
          settings: p.settings.forwarder,
          outbox: need(p.outbox, 'store'),
          clock: p.clock,
          log: p.log.child({ part: 'forwarder' }),
          counters: p.counters,
          presence: () => p.presence?.all() ?? [],
          inProcess: p.embeddedUpstream
            ? (topic, payload, done) => {
                if (!p.broker) return done(new Error('the embedded broker is not running'));
                p.broker
                  .publish(topic, payload, { qos: 1, retain: false })
                  .then(() => done(), done);
              }
            : undefined,
          onCommand: (payload) => {
            let value: unknown;
            try {
              value = JSON.parse(payload.toString('utf8'));
            } catch (error) {
              p.log.warn(
                { err: (error as Error).message },
                'upstream command is not JSON; ignored',
              );
              return;
            }
            const parsed = CommandRouter.parse(value);
            if (!parsed.ok) {
              p.log.warn({ detail: parsed.detail }, 'upstream command refused');
              const v = value as { device?: unknown; id?: unknown };
              if (typeof v?.device === 'string' && typeof v.id === 'string') {
                p.forwarder?.sendAck({
                  device: v.device,
                  ack: { id: v.id, ok: false, error: parsed.detail },
                });
              }
              return;
            }
            p.commands?.submit(parsed.value);
          },
        });
        p.forwarder = forwarder;
        return forwarder.start();
      },
    },
    // 5. Serial boards after the forwarder: their runtimes write through the same ingest,
    //    and a board plugged in during start-up should find the whole path ready.
    {
      id: 'serial',
      restart: 'permanent',
      start: async () => {
        const serial = new SerialBoards({
          settings: p.settings.serial,
          ports: p.serialPorts ?? systemSerialPorts(),
          clock: p.clock,
          log: p.log.child({ part: 'serial' }),
          ingest: need(p.ingest, 'sessions'),
          presence: need(p.presence, 'store'),
          db: need(p.db, 'store'),
          supervisor: need(p.devices, 'sessions'),
          onDeviceReady: (device) => p.commands?.deviceOnline(device),
        });
        p.serial = serial;
        return serial.start();
      },
    },
    // 6. HTTP last: /health reports on every part above, and restarting it disturbs nothing.
    {
      id: 'http',
      restart: 'permanent',
      start: async () => {
        const server = await startHttp({
          host: p.host,
          port: p.httpPort,
          metrics: p.metrics,
          health: () => health(p),
          devices: () => p.presence?.all() ?? [],
        });
        p.httpPort = server.port;
        return server;
      },
    },
  ];
}

export function health(p: GatewayParts): Health {
  const children = p.supervisor?.status() ?? [];
  const upstream = p.forwarder?.upstreamState() ?? 'stopped';
  const oldest = p.outbox?.oldestRx();
  const allRunning = children.every((c) => c.state === 'running');
  return {
    status: allRunning && upstream === 'connected' ? 'ok' : 'degraded',
    gateway: p.settings.gatewayId,
    uptimeMs: p.clock.now() - p.startedAt,
    children,
    upstream: {
      url: p.upstream.url,
      state: upstream,
      inFlightBatches: p.forwarder?.inFlightBatches() ?? 0,
    },
    outbox: {
      depth: p.outbox?.depth() ?? 0,
      bytes: p.outbox?.sizeBytes() ?? 0,
      oldestAgeMs: oldest === undefined ? null : p.clock.now() - oldest,
    },
    devices: {
      online: p.presence?.onlineCount() ?? 0,
      known: p.presence?.all().length ?? 0,
      sessions: p.sessions?.size() ?? 0,
    },
  };
}
