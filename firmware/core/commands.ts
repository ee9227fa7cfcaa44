/**
 * Commands from fs/v1/<id>/cmd: parsed, dispatched through one table, and always answered.
 * Every failure becomes an error ack (never a throw): unknown command, unknown actuator, bad
 * value, malformed JSON. When the payload is not JSON the id is recovered from the text if it
 * can be; otherwise the ack carries the id "-".
 */
import type { Ack } from '../../contract/payloads.js';
import type { Actuators } from './actuators.js';
import type { IntervalChange, Sampler } from './sampler.js';

export interface CommandContext {
  actuators: Actuators;
  sampler: Sampler;
  now(): number;
  uptimeMs(): number;
  /** Runs after the reboot ack was sent. */
  reboot(): void;
}

/** Bounds of the interval command's arguments, ms. */
export const INTERVAL_LIMITS = { min: 50, max: 86400000 };

const COMMAND_NAMES = ['set', 'interval', 'ping', 'reboot'];
const UNKNOWN_ID = '-';

export interface CommandOutcome {
  ack: Ack;
  /** Something to do once the ack is on its way (reboot). */
  after: (() => void) | null;
}

function fail(id: string, error: string): CommandOutcome {
  return { ack: { id, ok: false, error }, after: null };
}

function recoverId(text: string): string {
  const match = /"id"\s*:\s*"([^"\\]{1,64})"/.exec(text);
  return match === null ? UNKNOWN_ID : (match[1] as string);
}

function intervalArg(args: Record<string, unknown>, name: string): number | null | string {
  const value = args[name];
  if (value === undefined) return null;
  if (
    typeof value !== 'number' ||
    Math.floor(value) !== value ||
    value < INTERVAL_LIMITS.min ||
    value > INTERVAL_LIMITS.max
  ) {
    return `bad value for args.${name}: ${JSON.stringify(value)} (allowed: an integer from ${INTERVAL_LIMITS.min} to ${INTERVAL_LIMITS.max} ms)`;
  }
  return value;
}

function runInterval(
  id: string,
  args: Record<string, unknown>,
  context: CommandContext,
): CommandOutcome {
  const change: IntervalChange = { sampleMs: null, minReportMs: null, maxReportMs: null };
  const names = ['sampleMs', 'minReportMs', 'maxReportMs'];
  for (let i = 0; i < names.length; i++) {
    const name = names[i] as 'sampleMs' | 'minReportMs' | 'maxReportMs';
    const value = intervalArg(args, name);
    if (typeof value === 'string') return fail(id, value);
    change[name] = value;
  }
  if (change.sampleMs === null && change.minReportMs === null && change.maxReportMs === null) {
    return fail(
      id,
      'interval needs at least one of args.sampleMs, args.minReportMs, args.maxReportMs',
    );
  }
  const sensor = args.sensor;
  if (sensor !== undefined && typeof sensor !== 'string') {
    return fail(id, `bad value for args.sensor: ${JSON.stringify(sensor)} (allowed: a sensor id)`);
  }
  const target = sensor === undefined ? null : sensor;
  if (!context.sampler.setIntervals(target, change)) {
    const known: string[] = [];
    const plans = context.sampler.sensors();
    for (let i = 0; i < plans.length; i++) known.push((plans[i] as { id: string }).id);
    return fail(id, `unknown sensor ${JSON.stringify(target)} (known: ${known.join(', ')})`);
  }
  const result: Record<string, unknown> = {};
  const plans = context.sampler.sensors();
  for (let i = 0; i < plans.length; i++) {
    const plan = plans[i] as {
      id: string;
      sampleMs: number;
      minReportMs: number;
      maxReportMs: number;
    };
    if (target === null || plan.id === target) {
      result[plan.id] = {
        sampleMs: plan.sampleMs,
        minReportMs: plan.minReportMs,
        maxReportMs: plan.maxReportMs,
      };
    }
  }
  return { ack: { id, ok: true, result }, after: null };
}

/** Parses one cmd payload and runs it. */
export function handleCommand(text: string, context: CommandContext): CommandOutcome {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (_error) {
    return fail(recoverId(text), `malformed command: not JSON (${text.length} bytes)`);
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    return fail(UNKNOWN_ID, 'malformed command: expected a JSON object {"id","name","args"}');
  }
  const command = parsed as Record<string, unknown>;
  const rawId = command.id;
  if (typeof rawId !== 'string' || rawId.length < 1 || rawId.length > 64) {
    return fail(
      UNKNOWN_ID,
      `malformed command: id is ${JSON.stringify(rawId)} (allowed: a string of 1 to 64 characters)`,
    );
  }
  const id = rawId;
  const name = command.name;
  const args = command.args === undefined ? {} : command.args;
  if (typeof args !== 'object' || args === null || Array.isArray(args)) {
    return fail(id, `malformed command: args is ${JSON.stringify(args)} (allowed: an object)`);
  }
  const a = args as Record<string, unknown>;
  if (name === 'set') {
    if (typeof a.actuator !== 'string') {
      return fail(
        id,
        `bad value for args.actuator: ${JSON.stringify(a.actuator)} (allowed: an actuator id)`,
      );
    }
    const problem = context.actuators.set(a.actuator, a.value);
    if (problem !== null) return fail(id, problem);
    return { ack: { id, ok: true, result: { actuator: a.actuator, value: a.value } }, after: null };
  }
  if (name === 'interval') return runInterval(id, a, context);
  if (name === 'ping')
    return {
      ack: { id, ok: true, result: { ts: context.now(), uptimeMs: context.uptimeMs() } },
      after: null,
    };
  if (name === 'reboot')
    return { ack: { id, ok: true, result: { rebooting: true } }, after: context.reboot };
  return fail(id, `unknown command ${JSON.stringify(name)} (known: ${COMMAND_NAMES.join(', ')})`);
}
