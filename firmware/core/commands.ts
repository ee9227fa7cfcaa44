/**
 * Commands from fs/v1/<id>/cmd: parsed, dispatched, and always answered. A refusal throws an
 * Error naming the field, the bad value and what is allowed (`bad args.sampleMs: 10 (allowed
 * integer 50..86400000)`); handleCommand turns every throw into an error ack, so nothing a
 * command says can crash the runtime (unknown command, unknown actuator, bad value, malformed
 * JSON, a pin that fails). When the payload is not JSON the id is recovered from the text if
 * it can be, else the ack's id is "-".
 */
import type { Ack } from '../../contract/payloads.js';
import { refuse, setActuator, unknown } from './actuators.js';
import { EXTRAS } from './features.js';
import type { Sampler } from './sampler.js';
import type { PinIO, RuntimeClock, RuntimePlan } from './types.js';

/** What the commands act on: the runtime's own context (firmware/core/runtime.ts). */
export interface CommandContext {
  plan: RuntimePlan;
  io: PinIO;
  clock: RuntimeClock;
  /** Runs after the reboot ack was sent. */
  reboot(): void;
  /** Commands the core does not know (OTA's `ota-*`): looked up after its own. */
  extraCommands?: ExtraCommands;
}

/**
 * A command a platform adds (firmware/ota/receiver.ts's handlers have this shape): it gets the
 * command id and its args, and returns the ack and what to do once the ack is on its way.
 */
export type ExtraCommand = (id: string, args: Record<string, unknown>) => CommandOutcome;
export type ExtraCommands = Record<string, ExtraCommand>;

/** Bounds of the interval command's arguments, ms. */
const INTERVAL_MIN = 50;
const INTERVAL_MAX = 86400000;

export interface CommandOutcome {
  ack: Ack;
  /** Something to do once the ack is on its way (reboot). */
  after: (() => void) | null;
}

type Args = Record<string, unknown>;

function isObject(value: unknown): value is Args {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * `interval`: new sampling and report intervals for one sensor, or all; answers them. The
 * bundle shortens the plan's field names, so the arguments and the answer's keys (the
 * contract's) are written as strings and the plan's fields one by one.
 */
function interval(args: Args, plan: RuntimePlan, sampler: Sampler): Args {
  const names = ['sampleMs', 'minReportMs', 'maxReportMs'];
  /** The new sampleMs, minReportMs and maxReportMs, undefined where not given. */
  const values: (number | undefined)[] = [];
  let given = false;
  for (let i = 0; i < 3; i++) {
    const value = args[names[i]];
    if (value !== undefined) {
      if (
        typeof value !== 'number' ||
        Math.floor(value) !== value ||
        value < INTERVAL_MIN ||
        value > INTERVAL_MAX
      )
        refuse(`args.${names[i]}`, value, `integer ${INTERVAL_MIN}..${INTERVAL_MAX}`);
      given = true;
    }
    values.push(value as number | undefined);
  }
  if (!given) throw new Error(`interval needs one of args.${names.join(', args.')}`);
  const sensor = args.sensor;
  if (sensor !== undefined && typeof sensor !== 'string')
    refuse('args.sensor', sensor, 'a sensor id');
  const result: Args = {};
  const known: string[] = [];
  for (let s = 0; s < plan.sensors.length; s++) {
    const sensorPlan = plan.sensors[s];
    known.push(sensorPlan.id);
    if (sensor !== undefined && sensorPlan.id !== sensor) continue;
    if (values[1] !== undefined) sensorPlan.minReportMs = values[1];
    if (values[2] !== undefined) sensorPlan.maxReportMs = values[2];
    if (values[0] !== undefined) {
      sensorPlan.sampleMs = values[0];
      sampler.retime(sensorPlan);
    }
    const answer: Args = {};
    answer[names[0]] = sensorPlan.sampleMs;
    answer[names[1]] = sensorPlan.minReportMs;
    answer[names[2]] = sensorPlan.maxReportMs;
    result[sensorPlan.id] = answer;
  }
  if (sensor !== undefined && known.indexOf(sensor) < 0) unknown('sensor', sensor, known);
  return result;
}

/** Parses one cmd payload and runs it. `startedAt` is the boot's clock.now(), for uptimeMs. */
export function handleCommand(
  text: string,
  context: CommandContext,
  sampler: Sampler,
  startedAt: number,
): CommandOutcome {
  let id = '-';
  try {
    let command: unknown;
    try {
      command = JSON.parse(text);
    } catch (_error) {
      const match = /"id"\s*:\s*"([^"\\]{1,64})"/.exec(text);
      if (match !== null) id = match[1];
      throw new Error(`not JSON (${text.length} bytes)`);
    }
    if (!isObject(command)) throw new Error('not a JSON object {"id","name","args"}');
    const rawId = command.id;
    if (typeof rawId !== 'string' || rawId.length < 1 || rawId.length > 64)
      refuse('id', rawId, '1..64 characters');
    id = rawId;
    const args = command.args === undefined ? {} : command.args;
    if (!isObject(args)) refuse('args', args, 'an object');
    const name = command.name;
    const now = context.clock.now();
    let result: unknown;
    let after: (() => void) | null = null;
    if (name === 'set') {
      if (typeof args.actuator !== 'string')
        refuse('args.actuator', args.actuator, 'an actuator id');
      setActuator(context.plan.actuators, context.io, args.actuator as string, args.value);
      result = { actuator: args.actuator, value: args.value };
    } else if (name === 'interval') result = interval(args, context.plan, sampler);
    else if (name === 'ping') result = { ts: now, uptimeMs: now - startedAt };
    else if (name === 'reboot') {
      result = { rebooting: true };
      after = context.reboot;
    } else {
      const extra = EXTRAS ? context.extraCommands : undefined;
      if (extra !== undefined && typeof name === 'string' && Object.hasOwn(extra, name))
        return extra[name](id, args);
      const known = ['set, interval, ping, reboot'];
      if (extra !== undefined) known.push.apply(known, Object.keys(extra));
      unknown('command', name, known);
    }
    return { ack: { id, ok: true, result }, after };
  } catch (error) {
    return {
      ack: { id, ok: false, error: String((error as Error).message || error) },
      after: null,
    };
  }
}
