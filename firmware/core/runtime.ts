/**
 * The device runtime: boot counter, birth and will, the connection loop with backoff, the
 * outbox drained over QoS 1, commands and the sys report. Platform-neutral; see types.ts.
 */
import type { Ack } from '../../contract/payloads.js';
import {
  ackTopic,
  cmdTopic,
  statusTopic,
  sysTopic,
  telemetryTopic,
} from '../../contract/topics.js';
import { createActuators } from './actuators.js';
import { backoffDelay } from './backoff.js';
import { type ExtraCommands, handleCommand } from './commands.js';
import type { DriverTable } from './drivers/types.js';
import { isFiniteNumber } from './drivers/types.js';
import { createOutbox, type OutboxEntry } from './outbox.js';
import { createSampler } from './sampler.js';
import type {
  BootStore,
  ConnectionState,
  PinIO,
  ReadingValues,
  RuntimeClock,
  RuntimeLog,
  RuntimePlan,
  Transport,
} from './types.js';

/** Telemetry messages in flight (sent, not yet PUBACKed) at a time. */
const WINDOW = 4;
/** How long a clean stop waits for the goodbye to be acknowledged. */
const STOP_TIMEOUT_MS = 2000;

export interface CoreContext {
  plan: RuntimePlan;
  transport: Transport;
  io: PinIO;
  clock: RuntimeClock;
  store: BootStore;
  log: RuntimeLog;
  drivers: DriverTable;
  /** Broker credentials, or null. */
  username: string | null;
  password: string | null;
  /** A number in [0, 1) for the backoff jitter: Math.random in production. */
  random(): number;
  /** Restarts the device after a reboot command was acknowledged. */
  reboot(): void;
  /** Commands beyond the core's own (OTA's `ota-*` on a firmware built with OTA); absent: none. */
  extraCommands?: ExtraCommands;
  /** Runs each time the broker acknowledged a birth: confirms an OTA trial boot (the Node
   *  host's reportBirthToHost(), the Espruino loader's fsConfirmBoot()). */
  birthAcknowledged?: () => void;
}

export interface CoreState {
  connection: ConnectionState;
  boot: number;
  /** The last telemetry seq produced in this boot (0 before the first). */
  seq: number;
  buffered: number;
  bufferDropped: number;
  connects: number;
}

export interface CoreRuntime {
  state(): CoreState;
  /** Publishes the goodbye (`reason`, retained) and disconnects cleanly; `done` when finished. */
  stop(reason: string, done: () => void): void;
  /** Sends a sys report now (when online). */
  reportSys(): void;
}

export function startCore(context: CoreContext): CoreRuntime {
  const plan = context.plan;
  const clock = context.clock;
  const log = context.log;
  const transport = context.transport;
  const startedAt = clock.now();
  const boot = context.store.nextBoot();
  /** Every channel of every sensor, in plan order: the outbox's columns. */
  const channels: { id: string; flag: boolean; scale: number }[] = [];
  for (let i = 0; i < plan.sensors.length; i++) {
    const list = (plan.sensors[i] as RuntimePlan['sensors'][number]).channels;
    for (let c = 0; c < list.length; c++) {
      const channel = list[c] as { id: string; unit: string; decimals: number };
      channels.push({ id: channel.id, flag: channel.unit === '', scale: 10 ** channel.decimals });
    }
  }
  const outbox = createOutbox(plan.bufferSize, channels.length);
  let connection: ConnectionState = 'idle';
  let seq = 0;
  let attempt = 0;
  let connects = 0;
  let retryTimer: unknown = null;
  let sysTimer: unknown = null;
  /** Counts connections so late callbacks of an old one are ignored. */
  let generation = 0;

  const actuators = createActuators(plan.actuators, context.io);

  const sampler = createSampler({
    sensors: plan.sensors,
    drivers: context.drivers,
    io: context.io,
    vref: plan.vref,
    clock,
    log,
    report(readings: ReadingValues) {
      seq++;
      const row: number[] = [];
      for (let c = 0; c < channels.length; c++) {
        const value = readings[(channels[c] as { id: string }).id];
        row.push(
          value === undefined ? Number.NaN : value === true ? 1 : value === false ? 0 : value,
        );
      }
      outbox.push(seq, clock.now(), row, connection !== 'online');
      drain();
    },
  });

  function telemetryPayload(entry: OutboxEntry): string {
    let readings = '';
    for (let c = 0; c < channels.length; c++) {
      const v = entry.values[c] as number;
      if (!isFiniteNumber(v)) continue; // NaN: not in this message
      const channel = channels[c] as { id: string; flag: boolean; scale: number };
      const value = channel.flag ? v !== 0 : Math.round(v * channel.scale) / channel.scale;
      readings += `${readings === '' ? '' : ','}"${channel.id}":${value}`;
    }
    return `{"seq":${entry.seq},"boot":${boot},"ts":${entry.ts},"readings":{${readings}}${entry.historical ? ',"historical":true' : ''}}`;
  }

  function drain(): void {
    if (connection !== 'online') return;
    const mine = generation;
    while (outbox.inFlight() < WINDOW) {
      const entry = outbox.takeNext();
      if (entry === null) return;
      const sent = entry.seq;
      transport.publish(
        telemetryTopic(plan.id),
        telemetryPayload(entry),
        { qos: 1, retain: false },
        (error) => {
          if (error !== null || mine !== generation) return;
          outbox.ack(sent);
          drain();
        },
      );
    }
  }

  function publishAck(ack: Ack): void {
    transport.publish(
      ackTopic(plan.id),
      JSON.stringify(ack),
      { qos: 1, retain: false },
      (error) => {
        if (error !== null) log.log('warn', 'ack not delivered', { id: ack.id, error });
      },
    );
  }

  function onCommand(payload: string): void {
    const outcome = handleCommand(payload, {
      actuators,
      sampler,
      now: () => clock.now(),
      uptimeMs: () => clock.now() - startedAt,
      reboot: context.reboot,
      extra: context.extraCommands === undefined ? null : context.extraCommands,
    });
    log.log(outcome.ack.ok ? 'info' : 'warn', 'command', { ack: outcome.ack });
    publishAck(outcome.ack);
    const after = outcome.after;
    // Give the ack a moment on the wire before the device goes away.
    if (after !== null) clock.setTimeout(after, 200);
  }

  function reportSys(): void {
    if (connection !== 'online') return;
    const payload = {
      ts: clock.now(),
      boot,
      uptimeMs: clock.now() - startedAt,
      memory: context.io.memory(),
      bufferDropped: outbox.dropped(),
    };
    transport.publish(
      sysTopic(plan.id),
      JSON.stringify(payload),
      { qos: 0, retain: false },
      () => {},
    );
  }

  function scheduleSys(): void {
    if (sysTimer !== null) clock.clearTimeout(sysTimer);
    sysTimer = clock.setTimeout(() => {
      sysTimer = null;
      reportSys();
      if (connection === 'online') scheduleSys();
    }, plan.sysIntervalMs);
  }

  function birthPayload(): string {
    return `{"online":true,"ts":${clock.now()},"boot":${boot},${plan.birth}}`;
  }

  function connect(): void {
    retryTimer = null;
    if (connection === 'stopping' || connection === 'stopped') return;
    connection = 'connecting';
    generation++;
    const mine = generation;
    transport.connect(
      {
        clientId: plan.id,
        keepaliveS: plan.keepaliveS,
        username: context.username,
        password: context.password,
        will: {
          topic: statusTopic(plan.id),
          payload: '{"online":false,"reason":"lost"}',
          qos: 1,
          retain: true,
        },
      },
      {
        connected() {
          if (mine !== generation || connection !== 'connecting') return;
          connection = 'online';
          connects++;
          attempt = 0;
          log.log('info', 'connected', { boot, connects, buffered: outbox.size() });
          transport.subscribe(cmdTopic(plan.id), 1, (error) => {
            if (error !== null) log.log('warn', 'subscribe failed', { error });
          });
          transport.publish(
            statusTopic(plan.id),
            birthPayload(),
            { qos: 1, retain: true },
            (error) => {
              if (error !== null) return log.log('warn', 'birth not acknowledged', { error });
              if (context.birthAcknowledged !== undefined) context.birthAcknowledged();
              // The first health report follows the birth, then one every sysIntervalMs.
              reportSys();
            },
          );
          scheduleSys();
          drain();
        },
        closed(reason) {
          if (mine !== generation) return;
          if (connection === 'stopping' || connection === 'stopped') return;
          outbox.rewind();
          if (sysTimer !== null) clock.clearTimeout(sysTimer);
          sysTimer = null;
          const delay = backoffDelay(attempt, plan.backoff, context.random());
          attempt++;
          connection = 'waiting';
          log.log('warn', 'connection closed; reconnecting', { reason, delayMs: delay, attempt });
          retryTimer = clock.setTimeout(connect, delay);
        },
        message(topic, payload) {
          if (mine !== generation) return;
          if (topic === cmdTopic(plan.id)) onCommand(payload);
        },
      },
    );
  }

  sampler.start();
  connect();

  return {
    state() {
      return {
        connection,
        boot,
        seq,
        buffered: outbox.size(),
        bufferDropped: outbox.dropped(),
        connects,
      };
    },
    reportSys,
    stop(reason, done) {
      if (connection === 'stopped' || connection === 'stopping') return done();
      const wasOnline = connection === 'online';
      connection = 'stopping';
      sampler.stop();
      if (retryTimer !== null) clock.clearTimeout(retryTimer);
      if (sysTimer !== null) clock.clearTimeout(sysTimer);
      let finished = false;
      const finish = () => {
        if (finished) return;
        finished = true;
        connection = 'stopped';
        log.log('info', 'stopped', { reason, seq, buffered: outbox.size() });
        done();
      };
      const end = () => transport.end(finish);
      if (!wasOnline) return end();
      const guard = clock.setTimeout(end, STOP_TIMEOUT_MS);
      const goodbye = JSON.stringify({ online: false, reason, ts: clock.now() });
      transport.publish(statusTopic(plan.id), goodbye, { qos: 1, retain: true }, () => {
        clock.clearTimeout(guard);
        end();
      });
    },
  };
}
