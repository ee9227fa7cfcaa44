/**
 * Commands from fs/v1/<id>/cmd: parsed, dispatched through one table, and always answered.
 * Handlers throw an Error naming the field, the bad value and what is allowed; handleCommand
 * turns every throw into an error ack, so nothing a command says can crash the runtime
 * (unknown command, unknown actuator, bad value, malformed JSON, a pin that fails). When the
 * payload is not JSON the id is recovered from the text if it can be, else the ack's id is "-".
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
  /** Commands the core does not know (OTA's `ota-*`), or null: looked up after its own. */
  extra: ExtraCommands | null;
}

/**
 * A command a platform adds (firmware/ota/receiver.ts's handlers have this shape): it gets the
 * command id and its args, and returns the ack and what to do once the ack is on its way.
 */
export type ExtraCommand = (id: string, args: Record<string, unknown>) => CommandOutcome;
export type ExtraCommands = Record<string, ExtraCommand>;

/** Bounds of the interval command's arguments, ms. */
export const INTERVAL_LIMITS = { min: 50, max: 86400000 };

export interface CommandOutcome {
  ack: Ack;
  /** Something to do once the ack is on its way (reboot). */
  after: (() => void) | null;
}

type Args = Record<string, unknown>;
type Handler = (args: Args, context: CommandContext) => unknown;

function refuse(field: string, value: unknown, allowed: string): never {
  throw new Error(`bad value for ${field}: ${JSON.stringify(value)} (allowed: ${allowed})`);
}

function isObject(value: unknown): value is Args {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

const INTERVAL_ARGS = ['sampleMs', 'minReportMs', 'maxReportMs'];

const HANDLERS: Record<string, Handler> = {
  set(args, context) {
    if (typeof args.actuator !== 'string') refuse('args.actuator', args.actuator, 'an actuator id');
    const problem = context.actuators.set(args.actuator as string, args.value);
    if (problem !== null) throw new Error(problem);
    return { actuator: args.actuator, value: args.value };
  },
  interval(args, context) {
    const change: Record<string, number | null> = {};
    let any = false;
    for (let i = 0; i < INTERVAL_ARGS.length; i++) {
      const name = INTERVAL_ARGS[i] as string;
      const value = args[name];
      change[name] = null;
      if (value === undefined) continue;
      const ok = typeof value === 'number' && Math.floor(value) === value;
      if (
        !ok ||
        (value as number) < INTERVAL_LIMITS.min ||
        (value as number) > INTERVAL_LIMITS.max
      ) {
        refuse(
          `args.${name}`,
          value,
          `an integer from ${INTERVAL_LIMITS.min} to ${INTERVAL_LIMITS.max} ms`,
        );
      }
      change[name] = value as number;
      any = true;
    }
    if (!any)
      throw new Error(`interval needs at least one of args.${INTERVAL_ARGS.join(', args.')}`);
    const sensor = args.sensor === undefined ? null : args.sensor;
    if (sensor !== null && typeof sensor !== 'string') refuse('args.sensor', sensor, 'a sensor id');
    const plans = context.sampler.sensors();
    const known: string[] = [];
    for (let i = 0; i < plans.length; i++) known.push((plans[i] as { id: string }).id);
    if (
      !context.sampler.setIntervals(sensor as string | null, change as unknown as IntervalChange)
    ) {
      throw new Error(`unknown sensor ${JSON.stringify(sensor)} (known: ${known.join(', ')})`);
    }
    const result: Args = {};
    for (let i = 0; i < plans.length; i++) {
      const plan = plans[i] as {
        id: string;
        sampleMs: number;
        minReportMs: number;
        maxReportMs: number;
      };
      if (sensor === null || plan.id === sensor) {
        result[plan.id] = {
          sampleMs: plan.sampleMs,
          minReportMs: plan.minReportMs,
          maxReportMs: plan.maxReportMs,
        };
      }
    }
    return result;
  },
  ping(_args, context) {
    return { ts: context.now(), uptimeMs: context.uptimeMs() };
  },
  reboot() {
    return { rebooting: true };
  },
};

/** Parses one cmd payload and runs it. */
export function handleCommand(text: string, context: CommandContext): CommandOutcome {
  let id = '-';
  try {
    let command: unknown;
    try {
      command = JSON.parse(text);
    } catch (_error) {
      const match = /"id"\s*:\s*"([^"\\]{1,64})"/.exec(text);
      if (match !== null) id = match[1] as string;
      throw new Error(`malformed command: not JSON (${text.length} bytes)`);
    }
    if (!isObject(command))
      throw new Error('malformed command: expected a JSON object {"id","name","args"}');
    const rawId = command.id;
    if (typeof rawId !== 'string' || rawId.length < 1 || rawId.length > 64) {
      refuse('id', rawId, 'a string of 1 to 64 characters');
    }
    id = rawId as string;
    const args = command.args === undefined ? {} : command.args;
    if (!isObject(args)) refuse('args', args, 'an object');
    const name = command.name;
    const handler =
      typeof name === 'string' && Object.hasOwn(HANDLERS, name) ? HANDLERS[name] : undefined;
    const extra = context.extra;
    if (handler === undefined && extra !== null && typeof name === 'string') {
      if (Object.hasOwn(extra, name)) return (extra[name] as ExtraCommand)(id, args as Args);
    }
    if (handler === undefined) {
      const known = Object.keys(HANDLERS);
      if (extra !== null) known.push.apply(known, Object.keys(extra));
      throw new Error(`unknown command ${JSON.stringify(name)} (known: ${known.join(', ')})`);
    }
    const result = handler(args as Args, context);
    return { ack: { id, ok: true, result }, after: name === 'reboot' ? context.reboot : null };
  } catch (error) {
    return {
      ack: { id, ok: false, error: String((error as Error).message || error) },
      after: null,
    };
  }
}
