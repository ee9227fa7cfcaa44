/**
 * Alert rules, per device (or every device, `*`) and sensor:
 *  - threshold with hysteresis: raised when a value crosses `above` (or `below`), cleared only
 *    once it is back past the threshold by `hysteresis`, so a noisy value does not flap;
 *  - stale: raised when a device has sent nothing (for the sensor, if given) for `minutes`,
 *    cleared by the next reading.
 * Pure logic: readings and the passing of time come in, alert events go out.
 */
import type { ReadingValue } from '../../contract/index.js';

export type AlertRule =
  | {
      id: string;
      type: 'threshold';
      device: string;
      sensor: string;
      above?: number;
      below?: number;
      hysteresis: number;
      severity: Severity;
    }
  | {
      id: string;
      type: 'stale';
      device: string;
      sensor?: string;
      minutes: number;
      severity: Severity;
    };

export const SEVERITIES = ['info', 'warning', 'critical'] as const;
export type Severity = (typeof SEVERITIES)[number];

export interface AlertEvent {
  /** `<rule id>:<device>`, stable across raise and clear. */
  key: string;
  rule: string;
  device: string;
  sensor?: string;
  state: 'raised' | 'cleared';
  severity: Severity;
  ts: number;
  value?: ReadingValue;
  message: string;
}

export interface ActiveAlert extends AlertEvent {
  state: 'raised';
}

const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

/** Validates rules from a flow property or a file; errors name the rule, the field and the value. */
export function parseRules(input: unknown): AlertRule[] {
  if (!Array.isArray(input))
    throw new Error(`alert rules must be a JSON array, got ${JSON.stringify(input)}`);
  const ids = new Set<string>();
  return input.map((raw, index) => {
    const where = `rule ${index}`;
    if (!isObject(raw)) throw new Error(`${where} is not an object`);
    const id = raw.id;
    if (typeof id !== 'string' || id === '')
      throw new Error(`${where}: "id" must be a non-empty string`);
    if (ids.has(id)) throw new Error(`${where}: id "${id}" is used twice`);
    ids.add(id);
    const device = raw.device ?? '*';
    if (typeof device !== 'string')
      throw new Error(`rule "${id}": "device" must be a device id or "*"`);
    const severity = raw.severity ?? 'warning';
    if (!(SEVERITIES as readonly unknown[]).includes(severity)) {
      throw new Error(
        `rule "${id}": severity ${JSON.stringify(severity)} is not one of ${SEVERITIES.join(', ')}`,
      );
    }
    const num = (field: string, optional: boolean): number | undefined => {
      const value = raw[field];
      if (value === undefined && optional) return undefined;
      if (typeof value !== 'number' || !Number.isFinite(value)) {
        throw new Error(`rule "${id}": "${field}" is ${JSON.stringify(value)}, expected a number`);
      }
      return value;
    };
    if (raw.type === 'threshold') {
      if (typeof raw.sensor !== 'string')
        throw new Error(`rule "${id}": "sensor" must be a sensor id`);
      const above = num('above', true);
      const below = num('below', true);
      if (above === undefined && below === undefined) {
        throw new Error(`rule "${id}": a threshold rule needs "above", "below" or both`);
      }
      const hysteresis = num('hysteresis', true) ?? 0;
      if (hysteresis < 0)
        throw new Error(`rule "${id}": "hysteresis" is ${hysteresis}, expected 0 or more`);
      const rule: AlertRule = {
        id,
        type: 'threshold',
        device,
        sensor: raw.sensor,
        hysteresis,
        severity: severity as Severity,
      };
      if (above !== undefined) rule.above = above;
      if (below !== undefined) rule.below = below;
      return rule;
    }
    if (raw.type === 'stale') {
      const minutes = num('minutes', false) as number;
      if (minutes <= 0)
        throw new Error(`rule "${id}": "minutes" is ${minutes}, expected more than 0`);
      if (raw.sensor !== undefined && typeof raw.sensor !== 'string') {
        throw new Error(`rule "${id}": "sensor" must be a sensor id when given`);
      }
      const rule: AlertRule = {
        id,
        type: 'stale',
        device,
        minutes,
        severity: severity as Severity,
      };
      if (typeof raw.sensor === 'string') rule.sensor = raw.sensor;
      return rule;
    }
    throw new Error(`rule "${id}": type ${JSON.stringify(raw.type)} is not "threshold" or "stale"`);
  });
}

export const RECENT_EVENTS = 50;

/**
 * The alert events a dashboard lists as "recent", newest first, at most `max`: kept by the
 * alerts node so that a page opened (or reloaded) later shows them too.
 */
export class RecentAlertEvents {
  private list: AlertEvent[] = [];

  constructor(private readonly max = RECENT_EVENTS) {}

  /** `events` oldest first, as they happened. */
  add(events: readonly AlertEvent[]): void {
    this.list = [...events].reverse().concat(this.list).slice(0, this.max);
  }

  /** Newest first (a copy). */
  all(): AlertEvent[] {
    return [...this.list];
  }
}

export class AlertEngine {
  private readonly active = new Map<string, ActiveAlert>();
  /** Last reading time per stale rule and device. */
  private readonly lastHeard = new Map<string, number>();

  constructor(private readonly rules: readonly AlertRule[]) {}

  /** One device's readings at `ts`; returns the alerts raised or cleared by them. */
  onReadings(device: string, readings: Record<string, ReadingValue>, ts: number): AlertEvent[] {
    const events: AlertEvent[] = [];
    for (const rule of this.rules) {
      if (rule.device !== '*' && rule.device !== device) continue;
      const key = `${rule.id}:${device}`;
      if (rule.type === 'stale') {
        if (rule.sensor !== undefined && !(rule.sensor in readings)) continue;
        this.lastHeard.set(key, Math.max(this.lastHeard.get(key) ?? 0, ts));
        const event = this.clear(key, ts, `${device} is sending again`);
        if (event) events.push(event);
        continue;
      }
      const raw = readings[rule.sensor];
      if (raw === undefined) continue;
      const value = typeof raw === 'boolean' ? Number(raw) : raw;
      const isActive = this.active.has(key);
      const over = rule.above !== undefined && value > rule.above;
      const under = rule.below !== undefined && value < rule.below;
      if (!isActive && (over || under)) {
        const limit = over ? `above ${rule.above}` : `below ${rule.below}`;
        events.push(
          this.raise(rule, key, device, ts, `${device} ${rule.sensor} is ${value}, ${limit}`, raw),
        );
      } else if (isActive) {
        const backBelow = rule.above === undefined || value <= rule.above - rule.hysteresis;
        const backAbove = rule.below === undefined || value >= rule.below + rule.hysteresis;
        if (backBelow && backAbove) {
          const event = this.clear(key, ts, `${device} ${rule.sensor} is back to ${value}`, raw);
          if (event) events.push(event);
        }
      }
    }
    return events;
  }

  /** Time passes: raises stale alerts for devices silent too long. */
  tick(now: number): AlertEvent[] {
    const events: AlertEvent[] = [];
    for (const rule of this.rules) {
      if (rule.type !== 'stale') continue;
      for (const [key, last] of this.lastHeard) {
        if (!key.startsWith(`${rule.id}:`) || this.active.has(key)) continue;
        if (now - last < rule.minutes * 60_000) continue;
        const device = key.slice(rule.id.length + 1);
        const what = rule.sensor ? `${rule.sensor} readings` : 'data';
        events.push(
          this.raise(rule, key, device, now, `no ${what} from ${device} for ${rule.minutes} min`),
        );
      }
    }
    return events;
  }

  /** Starts the stale clock for a device that has not sent anything yet (e.g. it just joined). */
  watch(device: string, now: number): void {
    for (const rule of this.rules) {
      if (rule.type !== 'stale' || (rule.device !== '*' && rule.device !== device)) continue;
      const key = `${rule.id}:${device}`;
      if (!this.lastHeard.has(key)) this.lastHeard.set(key, now);
    }
  }

  /**
   * Takes back alerts that were active before a restart (flows/lib/alert-log.ts), for rules
   * that still exist: they clear as they would have, and are not raised a second time.
   */
  restore(alerts: readonly ActiveAlert[]): void {
    const ids = new Set(this.rules.map((rule) => rule.id));
    for (const alert of alerts) if (ids.has(alert.rule)) this.active.set(alert.key, alert);
  }

  activeAlerts(): ActiveAlert[] {
    return [...this.active.values()].sort((a, b) => b.ts - a.ts);
  }

  private raise(
    rule: AlertRule,
    key: string,
    device: string,
    ts: number,
    message: string,
    value?: ReadingValue,
  ): AlertEvent {
    const event: ActiveAlert = {
      key,
      rule: rule.id,
      device,
      state: 'raised',
      severity: rule.severity,
      ts,
      message,
    };
    if (rule.sensor !== undefined) event.sensor = rule.sensor;
    if (value !== undefined) event.value = value;
    this.active.set(key, event);
    return { ...event };
  }

  private clear(
    key: string,
    ts: number,
    message: string,
    value?: ReadingValue,
  ): AlertEvent | undefined {
    const raised = this.active.get(key);
    if (!raised) return undefined;
    this.active.delete(key);
    const event: AlertEvent = { ...raised, state: 'cleared', ts, message };
    if (value !== undefined) event.value = value;
    else delete event.value;
    return event;
  }
}
