/**
 * `fullstack alerts`: evaluates alert rules (threshold with hysteresis, no data for N minutes)
 * on the readings wired into it. Output 1: each alert as it is raised or cleared. Output 2:
 * every active alert, whenever that list changes or a message with topic "alerts" asks, with
 * `msg.events`: the recent events, newest first (so a dashboard opened later lists them too).
 * Each event is also published on the backend broker: `fs/backend/v1/alerts/event` (QoS 1)
 * and the active list, retained, on `fs/backend/v1/alerts/active`.
 */
import {
  ALERT_ACTIVE_TOPIC,
  ALERT_EVENT_TOPIC,
  type ForwardedTelemetry,
  type ReadingValue,
} from '../../contract/index.js';
import type { AlertLog } from '../lib/alert-log.js';
import {
  AlertEngine,
  type AlertEvent,
  parseRules,
  RECENT_EVENTS,
  RecentAlertEvents,
} from '../lib/alerts.js';
import type { Backend } from '../lib/backend.js';
import { backendOf } from './backend-of.js';
import type { Node, NodeAPI, NodeDef, NodeMessage } from './types.js';

export { ALERT_ACTIVE_TOPIC, ALERT_EVENT_TOPIC } from '../../contract/topics.js';

const TICK_MS = 5000;

function readingsOf(
  msg: NodeMessage,
): { device: string; readings: Record<string, ReadingValue>; ts: number } | undefined {
  const p = msg.payload as Partial<ForwardedTelemetry> | ReadingValue | undefined;
  if (
    p &&
    typeof p === 'object' &&
    typeof p.device === 'string' &&
    typeof p.readings === 'object'
  ) {
    return {
      device: p.device,
      readings: p.readings as Record<string, ReadingValue>,
      ts: p.ts ?? Date.now(),
    };
  }
  if (
    (typeof p === 'number' || typeof p === 'boolean') &&
    typeof msg.device === 'string' &&
    typeof msg.sensor === 'string'
  ) {
    return {
      device: msg.device,
      readings: { [msg.sensor]: p },
      ts: typeof msg.ts === 'number' ? msg.ts : Date.now(),
    };
  }
  return undefined;
}

/**
 * With a database on the backend node, alerts survive a restart: the ones still raised are
 * taken back into the engine and the recent events into the list (flows/lib/alert-log.ts).
 */
function restoreFromLog(
  node: Node,
  backend: Backend,
  engine: AlertEngine,
  recent: RecentAlertEvents,
): AlertLog | undefined {
  try {
    const log = backend.alertLog();
    if (!log) return undefined;
    engine.restore(log.active());
    recent.add(log.recent(RECENT_EVENTS).reverse());
    return log;
  } catch (error) {
    node.warn(`reading stored alerts failed (alerts start empty): ${(error as Error).message}`);
    return undefined;
  }
}

export default function register(RED: NodeAPI): void {
  RED.nodes.registerType('fullstack alerts', function (this: Node, def: NodeDef) {
    RED.nodes.createNode(this, def);
    const backend = backendOf(RED, this, def.backend);
    if (!backend) return;
    let engine: AlertEngine;
    try {
      engine = new AlertEngine(parseRules(JSON.parse(String(def.rules || '[]'))));
    } catch (error) {
      this.status({ fill: 'red', shape: 'ring', text: 'bad rules' });
      this.error(`alert rules: ${(error as Error).message}`);
      return;
    }
    const status = () => {
      const active = engine.activeAlerts();
      this.status(
        active.length
          ? { fill: 'red', shape: 'dot', text: `${active.length} active` }
          : { fill: 'green', shape: 'dot', text: 'no alerts' },
      );
    };
    const recent = new RecentAlertEvents();
    const log = restoreFromLog(this, backend, engine, recent);
    const activeMessage = (): NodeMessage => ({
      topic: 'alerts',
      payload: engine.activeAlerts(),
      events: recent.all(),
    });
    const emit = (events: AlertEvent[]) => {
      if (events.length === 0) return;
      recent.add(events);
      try {
        log?.record(events);
      } catch (error) {
        this.warn(`storing alert events: ${(error as Error).message}`);
      }
      for (const event of events) {
        this.send([{ topic: `${event.device}/${event.rule}`, payload: event }, null]);
        backend
          .publishEvent(ALERT_EVENT_TOPIC, event)
          .catch((error: Error) => this.warn(`publish alert: ${error.message}`));
      }
      this.send([null, activeMessage()]);
      backend
        .publishEvent(ALERT_ACTIVE_TOPIC, engine.activeAlerts(), true)
        .catch((error: Error) => this.warn(`publish active alerts: ${error.message}`));
      status();
    };
    const watchFleet = () => {
      const now = Date.now();
      for (const device of backend.fleet.snapshot()) engine.watch(device.device, now);
    };
    watchFleet();
    const offChanges = backend.changes.on(watchFleet);
    const timer = setInterval(() => emit(engine.tick(Date.now())), TICK_MS);
    status();
    this.on('input', (msg, send, done) => {
      if (msg.topic === 'alerts') {
        send([null, { ...msg, ...activeMessage() }]);
        done();
        return;
      }
      const input = readingsOf(msg);
      if (!input) {
        done(
          new Error(
            'msg.payload is neither a telemetry item nor a reading with msg.device and msg.sensor',
          ),
        );
        return;
      }
      emit(engine.onReadings(input.device, input.readings, input.ts));
      done();
    });
    this.on('close', (_removed, done) => {
      clearInterval(timer);
      offChanges();
      done();
    });
  });
}
