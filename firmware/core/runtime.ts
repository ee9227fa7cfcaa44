/**
 * The device runtime: boot counter, birth and will, the connection loop with backoff, the
 * outbox drained over QoS 1, commands and the sys report. Platform-neutral; see types.ts.
 *
 * Written for the smallest board it runs on: on Espruino every function alive costs several
 * variables (firmware/espruino/budget.ts), so the callbacks are named functions of startCore
 * (created once) rather than closures made per call where that is possible.
 */

import type { ReadingValue } from '../../contract/payloads.js';
import { DEVICE_TOPIC_ROOT } from '../../contract/topics.js';
import { setupActuators } from './actuators.js';
import { backoffDelay } from './backoff.js';
import { type CommandContext, handleCommand } from './commands.js';
import type { DriverTable } from './drivers/types.js';
import { isFiniteNumber } from './drivers/types.js';
import { CONTROL, EXTRAS, FLAGS, LOGS } from './features.js';
import {
  createOutbox,
  outboxAck,
  outboxPush,
  outboxRewind,
  outboxSlot,
  outboxTakeNext,
} from './outbox.js';
import { createSampler } from './sampler.js';
import type {
  BootStore,
  ChannelPlan,
  ConnectionState,
  ReadingValues,
  RuntimeLog,
  Transport,
} from './types.js';

/** How long a clean stop waits for the goodbye to be acknowledged. */
const STOP_TIMEOUT_MS = 2000;

/**
 * The connection state inside the runtime: an index into STATES, the closed set of
 * ConnectionState, so that a bundle compares small numbers rather than carrying the names
 * (state() gives the names).
 */
const IDLE = 0;
const CONNECTING = 1;
const ONLINE = 2;
const WAITING = 3;
const STOPPING = 4;
const STOPPED = 5;
const STATES: ConnectionState[] = [
  'idle',
  'connecting',
  'online',
  'waiting',
  'stopping',
  'stopped',
];

/** The context is also the boot store (nextBoot): on a board it is the one start object. */
export interface CoreContext extends CommandContext, BootStore {
  transport: Transport;
  /** Absent: nothing is logged (the Espruino bundle, which carries no log texts). */
  log?: RuntimeLog;
  drivers: DriverTable;
  /** A number in [0, 1) for the backoff jitter: Math.random in production. Not `random`, a
   *  name the bundle must keep (Math's). */
  jitterRandom(): number;
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
}

/** The callback of a publish whose outcome does not matter (QoS 0, or nothing to log). */
function ignore(): void {}

/** One name for JSON.stringify, which writes every payload the runtime sends (unbound, as
 *  Math.pow in the bundle: it reads no `this`). */
const json = JSON.stringify;

export function startCore(context: CoreContext): CoreRuntime {
  const plan = context.plan;
  const clock = context.clock;
  const log = LOGS ? context.log : undefined;
  const transport = context.transport;
  /** `fs/v1/<id>/`: each topic is this and its kind. */
  const topic = `${DEVICE_TOPIC_ROOT}/${plan.id}/`;
  const startedAt = clock.now();
  const boot = context.nextBoot();
  /** Every channel of every sensor, in plan order: the outbox's columns. */
  const channels: ChannelPlan[] = [];
  for (const sensor of plan.sensors) for (const channel of sensor.channels) channels.push(channel);
  const outbox = createOutbox(plan.bufferSize, channels.length);
  let connection = IDLE;
  let seq = 0;
  /** The first seq produced on the current connection: every message before it was produced
   *  offline or was in flight when a link dropped, so it goes out flagged historical. */
  let liveFrom = 1;
  let attempt = 0;
  let connects = 0;
  let retryTimer: unknown = null;
  let sysTimer: unknown = null;
  /** Counts connections so late callbacks of an old one are ignored. Checked only where a host
   *  gives the transport (CONTROL): a bundle's own client (firmware/espruino/mqtt-client.ts)
   *  calls only the handlers of its one connection, fails every PUBACK still waiting when that
   *  connection closes, and is asked to connect again only after it closed. */
  let generation = 0;

  setupActuators(plan.actuators, context.io);
  const sampler = createSampler(plan, context, report);

  /** The host is stopping the runtime (a board never does: CONTROL). */
  function stopping(): boolean {
    return CONTROL && connection >= STOPPING;
  }

  function report(readings: ReadingValues): void {
    seq++;
    const slot = outboxPush(outbox, seq, clock.now());
    // The slot's values in place (outbox.ts): booleans as 1 and 0; NaN (+undefined) marks a
    // channel that is not in this message.
    for (let c = 0; c < channels.length; c++)
      outbox.values[slot * outbox.w + c] = +(readings[channels[c].id] as ReadingValue);
    drain();
  }

  function telemetryPayload(sent: number): string {
    const slot = outboxSlot(outbox, sent);
    const readings: ReadingValues = {};
    for (let c = 0; c < channels.length; c++) {
      const v = outbox.values[slot * outbox.w + c];
      if (!isFiniteNumber(v)) continue; // NaN: not in this message
      const channel = channels[c];
      const scale = 10 ** channel.decimals;
      readings[channel.id] = FLAGS && channel.flag ? v !== 0 : Math.round(v * scale) / scale;
    }
    // `historical` only when it is true (JSON.stringify leaves undefined members out).
    return json({
      seq: sent,
      boot,
      ts: outbox.times[slot],
      readings,
      historical: sent < liveFrom || undefined,
    });
  }

  function drain(): void {
    while (connection === ONLINE && outbox.sent < plan.window) {
      const next = outboxTakeNext(outbox);
      if (next === 0) return;
      transport.publish(`${topic}telemetry`, telemetryPayload(next), 1, acked(next, generation));
    }
  }

  /** The PUBACK callback of telemetry `seq`. A function of its own, so each callback has its
   *  own seq (Espruino has no per-iteration binding: a closure made in drain's loop would see
   *  the last one) and keeps no more than these two numbers while it waits. */
  function acked(seq: number, mine: number) {
    return (error: string | null) => {
      if (error !== null || (CONTROL && mine !== generation)) return;
      outboxAck(outbox, seq);
      drain();
    };
  }

  function onCommand(payload: string): void {
    const outcome = handleCommand(payload, context, sampler, startedAt);
    const ack = outcome.ack;
    if (LOGS && log) log.log(ack.ok ? 'info' : 'warn', 'command', { ack });
    transport.publish(
      `${topic}ack`,
      json(ack),
      1,
      LOGS
        ? (error) => {
            if (log && error !== null) log.log('warn', 'ack not delivered', { id: ack.id, error });
          }
        : ignore,
    );
    // Give the ack a moment on the wire before the device goes away.
    if (outcome.after !== null) clock.setTimeout(outcome.after, 200);
  }

  /** While online: from sysTick, whose timer runs only then, and on the birth's PUBACK, which a
   *  bundle's own client gives only on a live connection (a host's transport may be late). */
  function reportSys(): void {
    if (CONTROL && connection !== ONLINE) return;
    const now = clock.now();
    const payload = {
      ts: now,
      boot,
      uptimeMs: now - startedAt,
      memory: context.io.memory(),
      bufferDropped: outbox.dropped,
    };
    transport.publish(`${topic}sys`, json(payload), 0, ignore);
  }

  function sysTick(): void {
    reportSys();
    sysTimer =
      !CONTROL || connection === ONLINE ? clock.setTimeout(sysTick, plan.sysIntervalMs) : null;
  }

  function birthDone(error: string | null): void {
    if (error !== null) {
      if (LOGS && log) log.log('warn', 'birth not acknowledged', { error });
      return;
    }
    if (EXTRAS && context.birthAcknowledged !== undefined) context.birthAcknowledged();
    // The first health report follows the birth, then one every sysIntervalMs.
    reportSys();
  }

  function subscribed(error: string | null): void {
    if (LOGS && log && error !== null) log.log('warn', 'subscribe failed', { error });
  }

  function connect(): void {
    // Read only by stop(), which a board has not.
    if (CONTROL) retryTimer = null;
    if (stopping()) return;
    connection = CONNECTING;
    const mine = ++generation;
    transport.open(
      {
        clientId: plan.id,
        keepaliveS: plan.keepaliveS,
        willTopic: `${topic}status`,
        willPayload: '{"online":false,"reason":"lost"}',
      },
      {
        connected() {
          if ((CONTROL && mine !== generation) || connection !== CONNECTING) return;
          connection = ONLINE;
          liveFrom = seq + 1;
          if (CONTROL) connects++;
          attempt = 0;
          if (LOGS && log) log.log('info', 'connected', { boot, connects, buffered: outbox.count });
          transport.subscribe(`${topic}cmd`, LOGS ? subscribed : ignore);
          transport.publish(
            `${topic}status`,
            `{"online":true,"ts":${clock.now()},"boot":${boot},${plan.birth()}}`,
            1,
            birthDone,
            true,
          );
          // No sys timer is pending here: closed() cleared the last connection's.
          sysTimer = clock.setTimeout(sysTick, plan.sysIntervalMs);
          drain();
        },
        closed(reason) {
          if ((CONTROL && mine !== generation) || stopping()) return;
          outboxRewind(outbox);
          if (sysTimer !== null) clock.clearTimeout(sysTimer);
          sysTimer = null;
          const delay = backoffDelay(attempt++, plan.backoff, context.jitterRandom());
          connection = WAITING;
          if (LOGS && log)
            log.log('warn', 'connection closed; reconnecting', { reason, delayMs: delay, attempt });
          const timer = clock.setTimeout(connect, delay);
          if (CONTROL) retryTimer = timer;
        },
        received(name, payload) {
          // A bundle's own client subscribes to the cmd topic only, and delivers only its one
          // connection's messages.
          if (!CONTROL || (mine === generation && name === `${topic}cmd`)) onCommand(payload);
        },
      },
    );
  }

  sampler.start();
  connect();
  return {
    state() {
      return {
        connection: STATES[connection],
        boot,
        seq,
        buffered: outbox.count,
        bufferDropped: outbox.dropped,
        connects,
      };
    },
    stop(reason, done) {
      if (connection >= STOPPING) return done();
      const wasOnline = connection === ONLINE;
      connection = STOPPING;
      sampler.stop();
      if (retryTimer !== null) clock.clearTimeout(retryTimer);
      if (sysTimer !== null) clock.clearTimeout(sysTimer);
      let ended = false;
      const end = () => {
        if (ended) return;
        ended = true;
        transport.end(() => {
          connection = STOPPED;
          if (LOGS && log) log.log('info', 'stopped', { reason, seq, buffered: outbox.count });
          done();
        });
      };
      if (!wasOnline) return end();
      const guard = clock.setTimeout(end, STOP_TIMEOUT_MS);
      const goodbye = json({ online: false, reason, ts: clock.now() });
      transport.publish(
        `${topic}status`,
        goodbye,
        1,
        () => {
          clock.clearTimeout(guard);
          end();
        },
        true,
      );
    },
  };
}
