/**
 * Checks that tie a device config to its board and the catalog, after the schema passed:
 * the board and parts exist, each pin exists and can do what its part needs, no two parts share a
 * pin, I2C addresses are valid and distinct, Wi-Fi and broker are there when the board needs
 * them, and the intervals make sense. Every problem is collected, none stops the others.
 */
import {
  describePinNames,
  findPin,
  getBoard,
  hasBoard,
  knownBoardIds,
  pinsWith,
} from '../boards/index.js';
import {
  actuatorKinds,
  checkParams,
  findPart,
  resolveParams,
  sensorKinds,
} from '../catalog/index.js';
import type { SensorInterface } from '../catalog/types.js';
import { type CheckContext as Ctx, hex } from './check-context.js';
import { checkI2cSensor } from './check-i2c.js';
import { checkNetwork, checkTiming } from './check-network.js';
import { PinClaims } from './pin-claims.js';
import { joinPath, type Problem, show } from './problems.js';
import type {
  ActuatorConfig,
  BoardProfile,
  DeviceConfig,
  PinCapability,
  PinProfile,
  SensorConfig,
} from './types.js';

const NEEDS: Record<Exclude<SensorInterface, 'i2c'>, { cap: PinCapability; what: string }> = {
  analog: { cap: 'analog-in', what: 'an analog input (ADC)' },
  digital: { cap: 'digital-in', what: 'a digital input' },
  onewire: { cap: 'onewire', what: 'a 1-Wire capable pin' },
};

export function checkWiring(config: DeviceConfig): Problem[] {
  const problems: Problem[] = [];
  let board: BoardProfile | undefined;
  if (hasBoard(config.board)) board = getBoard(config.board);
  else {
    problems.push({
      path: 'board',
      message: `is ${show(config.board)}: not a known board (known: ${knownBoardIds().join(', ')})`,
    });
  }
  const ctx: Ctx = {
    config,
    board,
    problems,
    claims: new PinClaims(problems),
    i2cAddresses: new Map(),
  };
  checkIds(ctx);
  config.sensors.forEach((s, i) => {
    checkSensor(ctx, s, `sensors[${i}]`);
  });
  config.actuators.forEach((a, i) => {
    checkActuator(ctx, a, `actuators[${i}]`);
  });
  checkNetwork(ctx);
  const r = config.reporting;
  if (
    r?.minReportMs !== undefined &&
    r.maxReportMs !== undefined &&
    r.minReportMs > r.maxReportMs
  ) {
    problems.push({
      path: 'reporting.minReportMs',
      message: `is ${r.minReportMs}, more than reporting.maxReportMs ${r.maxReportMs} (allowed: min ≤ max)`,
    });
  }
  return problems;
}

function checkIds(ctx: Ctx): void {
  const seen = new Map<string, string>();
  const parts = [
    ...ctx.config.sensors.map((s, i) => ({ id: s.id, path: `sensors[${i}]` })),
    ...ctx.config.actuators.map((a, i) => ({ id: a.id, path: `actuators[${i}]` })),
  ];
  for (const { id, path } of parts) {
    const other = seen.get(id);
    if (other)
      ctx.problems.push({
        path: `${path}.id`,
        message: `is ${show(id)}, already the id of ${other} (ids must be unique)`,
      });
    else seen.set(id, path);
  }
  // A multi-quantity sensor's readings (env_temperature…) must not collide with another id.
  ctx.config.sensors.forEach((s, i) => {
    const part = findPart(s.part);
    if (part?.category !== 'sensor' || part.quantities.length < 2) return;
    for (const q of part.quantities) {
      const channel = `${s.id}_${q.quantity}`;
      const other = seen.get(channel);
      if (other) {
        ctx.problems.push({
          path: `sensors[${i}].id`,
          message: `is ${show(s.id)}: its reading ${channel} clashes with the id of ${other}`,
        });
      }
    }
  });
}

function owner(path: string, id: string, part: string): string {
  return `${path} (${id}, ${part})`;
}

/** The pin named at `path`, or undefined with a problem recorded. */
function resolvePin(ctx: Ctx, name: string, path: string): PinProfile | undefined {
  if (!ctx.board) return undefined;
  const pin = findPin(ctx.board, name);
  if (!pin) {
    const all = ctx.board.pins.filter((p) => p.capabilities.length > 0);
    ctx.problems.push({
      path,
      message: `is ${show(name)}: ${ctx.board.name} has no such pin (its pins: ${describePinNames(all)})`,
    });
  }
  return pin;
}

function requireCapability(
  ctx: Ctx,
  pin: PinProfile,
  cap: PinCapability,
  who: string,
  what: string,
  path: string,
): boolean {
  const board = ctx.board as BoardProfile;
  if (pin.capabilities.includes(cap)) return true;
  const able = pinsWith(board, cap);
  const where =
    able.length === 0
      ? `${board.name} has no pin that can${cap === 'analog-in' ? ' read analog (no ADC: use an I2C ADC such as the ADS1115)' : ` do ${cap}`}`
      : `pin ${pin.name} of ${board.name} cannot (${cap} pins: ${describePinNames(able)})`;
  const note = pin.note && able.length > 0 ? `; pin ${pin.name}: ${pin.note}` : '';
  ctx.problems.push({
    path,
    message: `is ${show(pin.name)}: ${who} needs ${what}, but ${where}${note}`,
  });
  return false;
}

function checkSensor(ctx: Ctx, sensor: SensorConfig, path: string): void {
  const part = findPart(sensor.part);
  if (part?.category !== 'sensor') {
    ctx.problems.push({
      path: `${path}.part`,
      message: `is ${show(sensor.part)}: ${part ? 'an actuator, not a sensor' : 'not a known part'} (sensors: ${sensorKinds().join(', ')})`,
    });
    return;
  }
  for (const p of checkParams(part, sensor.params))
    ctx.problems.push({ path: joinPath(`${path}.params`, p.key), message: p.message });
  checkTiming(ctx, sensor, part, path);
  const who = owner(path, sensor.id, part.kind);
  if (part.interface === 'i2c') {
    checkI2cSensor(ctx, sensor, part, path, who);
    return;
  }
  if (sensor.address !== undefined) {
    ctx.problems.push({
      path: `${path}.address`,
      message: `is ${hex(sensor.address)}: ${part.kind} is not an I2C part, leave address out`,
    });
  }
  if (sensor.pin === undefined) {
    ctx.problems.push({
      path: `${path}.pin`,
      message: `is missing: ${part.kind} is ${part.interface === 'analog' ? 'an analog' : `a ${part.interface}`} part and needs a pin`,
    });
    return;
  }
  const pin = resolvePin(ctx, sensor.pin, `${path}.pin`);
  if (!pin) return;
  const need = NEEDS[part.interface];
  const kindText = part.interface === 'analog' ? `${part.kind} (an analog sensor)` : part.kind;
  if (!requireCapability(ctx, pin, need.cap, kindText, need.what, `${path}.pin`)) return;
  ctx.claims.claim(pin, who, part.interface === 'onewire' ? 'onewire' : 'none', `${path}.pin`);
}

function checkActuator(ctx: Ctx, actuator: ActuatorConfig, path: string): void {
  const part = findPart(actuator.part);
  if (part?.category !== 'actuator') {
    ctx.problems.push({
      path: `${path}.part`,
      message: `is ${show(actuator.part)}: ${part ? 'a sensor, not an actuator' : 'not a known part'} (actuators: ${actuatorKinds().join(', ')})`,
    });
    return;
  }
  for (const p of checkParams(part, actuator.params))
    ctx.problems.push({ path: joinPath(`${path}.params`, p.key), message: p.message });
  if (actuator.initial !== undefined) {
    const error = part.validateValue(actuator.initial, resolveParams(part, actuator.params));
    if (error) ctx.problems.push({ path: `${path}.initial`, message: error });
  }
  const pin = resolvePin(ctx, actuator.pin, `${path}.pin`);
  if (!pin) return;
  const what = {
    'digital-out': 'a digital output',
    pwm: 'a PWM pin',
    servo: 'a servo-capable (PWM) pin',
  } as Record<string, string>;
  if (
    !requireCapability(
      ctx,
      pin,
      part.capability,
      part.kind,
      what[part.capability] ?? part.capability,
      `${path}.pin`,
    )
  )
    return;
  ctx.claims.claim(pin, owner(path, actuator.id, part.kind), 'none', `${path}.pin`);
}
