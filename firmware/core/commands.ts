/**
 * Commands from fs/v1/<id>/cmd: parsed, dispatched, and always answered. A refusal throws an
 * Error naming the field, the bad value and what is allowed (`bad args.sampleMs: 10 (allowed
 * integer 50..86400000)`); handleCommand turns every throw into an error ack, so nothing a
 * command says can crash the runtime (unknown command, unknown actuator, bad value, malformed
 * JSON, a pin that fails). When the payload is no JSON object the id is recovered from the
 * text if it can be, else the ack's id is "-".
 */
import type { Ack } from '../../contract/payloads.js';
import { byId, checkRange, refuse, setActuator, unknown } from './actuators.js';
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

/** The longest error text an ack may carry (contract LIMITS.maxErrorLength, which a bundle
 *  does not import: the whole LIMITS object would come with it). */
export const ACK_ERROR_MAX = 512;

/** Bounds of the interval command's arguments, ms. */
const INTERVAL_MIN = 50;
const INTERVAL_MAX = 86400000;

export interface CommandOutcome {
  ack: Ack;
  /** Something to do once the ack is on its way (reboot). */
  after: (() => void) | null;
}

type Args = Record<string, unknown>;
type IntervalField = 'sampleMs' | 'minReportMs' | 'maxReportMs';

/** A JSON object. JSON.parse makes no other kind of Object but arrays, which are
 *  `instanceof Object` in JavaScript and not on Espruino (src/jsparse.c): Array.isArray
 *  settles both. */
function isObject(value: unknown): value is Args {
  return value instanceof Object && !Array.isArray(value);
}

/**
 * `interval`: new sampling and report intervals for one sensor, or all; answers them. Every
 * argument is checked before any sensor changes.
 */
function interval(args: Args, plan: RuntimePlan, sampler: Sampler): Args {
  /**
   * The arguments: the plan's field → the contract's name. The same on Node; in the bundle
   * the keys are the plan's shortened names (MANGLED_PROPERTIES in firmware/espruino/property-names.ts
   * renames object keys too) and the values stay the contract's, so one table serves to read
   * the arguments, write the plan and answer. Made per call: a board keeps no copy.
   */
  const fields: Record<IntervalField, string> = {
    sampleMs: 'sampleMs',
    minReportMs: 'minReportMs',
    maxReportMs: 'maxReportMs',
  };
  const changes: Partial<Record<IntervalField, number>> = {};
  const missing: string[] = [];
  for (const field in fields) {
    const name = fields[field as IntervalField];
    const value = args[name];
    if (value === undefined) missing.push(name);
    else {
      checkRange(`args.${name}`, value, INTERVAL_MIN, INTERVAL_MAX, true);
      changes[field as IntervalField] = value as number;
    }
  }
  if (missing.length === 3) refuse('args', args, `one of ${missing.join(', ')}`);
  const sensors =
    args.sensor === undefined ? plan.sensors : [byId(plan.sensors, args.sensor, 'sensor')];
  const result: Args = {};
  sensors.forEach((sensorPlan) => {
    Object.assign(sensorPlan, changes);
    if (changes.sampleMs !== undefined) sampler.retime(sensorPlan);
    const answer: Args = {};
    for (const field in fields)
      answer[fields[field as IntervalField]] = sensorPlan[field as IntervalField];
    result[sensorPlan.id] = answer;
  });
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
  let ack: Ack;
  let after: (() => void) | null = null;
  try {
    let command: unknown;
    try {
      command = JSON.parse(text);
    } catch (_error) {
      // Not JSON: answered below as not an object.
    }
    if (!isObject(command)) {
      id = (/"id"\s*:\s*"([^"\\]{1,64})"/.exec(text) || ['', id])[1];
      throw new Error(`not a JSON object {"id","name","args"} (${text.length} bytes)`);
    }
    const rawId = command.id;
    if (typeof rawId !== 'string' || !rawId || rawId.length > 64)
      refuse('id', rawId, '1..64 characters');
    id = rawId;
    const args = command.args === undefined ? {} : command.args;
    if (!isObject(args)) refuse('args', args, 'an object');
    const name = command.name;
    const now = context.clock.now();
    let result: unknown;
    if (name === 'set') {
      const value = args.value;
      setActuator(context.plan.actuators, context.io, args.actuator, value);
      result = { actuator: args.actuator, value };
    } else if (name === 'interval') result = interval(args, context.plan, sampler);
    else if (name === 'ping') result = { ts: now, uptimeMs: now - startedAt };
    else if (name === 'reboot') {
      result = { rebooting: true };
      after = context.reboot;
    } else {
      const extra = EXTRAS ? context.extraCommands : undefined;
      // Not Object.hasOwn: Espruino's built-ins do not include it (src/jswrap_object.h has
      // only Object.prototype.hasOwnProperty), so on a board it would throw.
      if (
        extra !== undefined &&
        typeof name === 'string' &&
        // biome-ignore lint/suspicious/noPrototypeBuiltins: Espruino has no Object.hasOwn.
        Object.prototype.hasOwnProperty.call(extra, name)
      )
        return extra[name](id, args);
      let known = 'set, interval, ping, reboot';
      if (extra !== undefined) known += `, ${Object.keys(extra).join(', ')}`;
      unknown('command', name, known);
    }
    ack = { id, ok: true, result };
  } catch (error) {
    // Cut to the contract's limit: a text quoting a huge bad value would make the ack itself
    // invalid (and the sender would hear nothing).
    ack = {
      id,
      ok: false,
      error: ((error as Error).message || String(error)).slice(0, ACK_ERROR_MAX),
    };
  }
  return { ack, after };
}
