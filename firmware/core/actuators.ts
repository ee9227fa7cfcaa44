/** Actuators: validate a value against the part's range, then drive the pin. */
import type { ReadingValue } from '../../contract/payloads.js';
import { PWM, SERVO } from './features.js';
import type { ActuatorPlan, PinIO } from './types.js';

/** Throws the error of a refused argument: the field, the value and what is allowed, as in
 *  `bad args.value: 200 (allowed 0..180)`. Short, because a board carries every one. */
export function refuse(field: string, value: unknown, allowed: string): never {
  throw new Error(`bad ${field}: ${JSON.stringify(value)} (allowed ${allowed})`);
}

/** Refuses `value` unless it is a number in min..max, and a whole one if `integer`: the one
 *  range check of the actuators' values and the interval command's. Written so that NaN
 *  fails too. */
export function checkRange(
  field: string,
  value: unknown,
  min: number,
  max: number,
  integer: boolean | undefined,
): void {
  if (!(typeof value === 'number' && value >= min && value <= max && (!integer || value % 1 === 0)))
    refuse(field, value, `${integer ? 'integer ' : ''}${min}..${max}`);
}

/** The member of `list` whose id is `id` (any value: a number is no id either), or throws
 *  `unknown <what> "fan" (known: lamp)`: one lookup and one text for actuators and sensors
 *  (commands.ts writes the same text for commands). */
export function byId<T extends { id: string }>(list: T[], id: unknown, what: string): T {
  return (
    list.find((member) => member.id === id) ||
    unknown(what, id, list.map((member) => member.id).join(', '))
  );
}

/** Throws the error of a name that is not there: what was asked for and what there is, as in
 *  `unknown actuator "fan" (known: lamp)`; one text for actuators, sensors and commands.
 *  `known` is the list of names, comma-separated. */
export function unknown(what: string, name: unknown, known: string): never {
  throw new Error(`unknown ${what} ${JSON.stringify(name)} (known: ${known || 'none'})`);
}

/** Writes `value` to the actuator's pin. The plan gives a numeric actuator (PWM, servo) both
 *  `min` and `max` and an on/off one neither (plan.ts), so here and in setActuator `max` alone
 *  tells them apart. */
function drive(io: PinIO, actuator: ActuatorPlan, value: ReadingValue): void {
  const max = actuator.max;
  if (SERVO && actuator.part === 'servo') io.servoWrite(actuator.pin, value as number);
  // The IO takes a duty cycle 0-1 whatever the part's scale (PWM 0-255).
  else if (PWM && max !== undefined) {
    const min = actuator.min as number;
    io.pwmWrite(actuator.pin, ((value as number) - min) / (max - min));
  } else io.digitalWrite(actuator.pin, value as boolean);
}

/** Prepares every actuator's pin and drives it to its initial value. */
export function setupActuators(actuators: ActuatorPlan[], io: PinIO): void {
  actuators.forEach((actuator) => {
    io.setup(
      actuator.pin,
      SERVO && actuator.part === 'servo'
        ? 'servo'
        : PWM && actuator.max !== undefined
          ? 'pwm'
          : 'output',
    );
    drive(io, actuator, actuator.initial);
  });
}

/** Drives actuator `id` to `value`, or throws why not (unknown actuator, bad value). */
export function setActuator(actuators: ActuatorPlan[], io: PinIO, id: unknown, value: unknown) {
  const actuator = byId(actuators, id, 'actuator');
  const max = actuator.max;
  // On/off parts (led, relay) take true or false; a bundle without PWM or servo has no other.
  if (!(PWM || SERVO) || max === undefined) {
    // Only a boolean is its own double negation.
    if (value !== !!value) refuse('args.value', value, 'true or false');
  } else checkRange('args.value', value, actuator.min as number, max, actuator.integer);
  drive(io, actuator, value as ReadingValue);
}
