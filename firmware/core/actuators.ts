/** Actuators: validate a value against the part's range, then drive the pin. */
import type { ReadingValue } from '../../contract/payloads.js';
import { PWM, SERVO } from './features.js';
import type { ActuatorPlan, PinIO } from './types.js';

/** The error text of a refused argument: the field, the value and what is allowed, as in
 *  `bad args.value: 200 (allowed 0..180)`. Short, because a board carries every one. */
export function refusal(field: string, value: unknown, allowed: string): string {
  return `bad ${field}: ${JSON.stringify(value)} (allowed ${allowed})`;
}

/** Why `value` is not acceptable for `actuator`, or null. */
export function checkActuatorValue(actuator: ActuatorPlan, value: unknown): string | null {
  const min = actuator.min;
  const max = actuator.max;
  if (min === undefined || max === undefined) {
    return typeof value === 'boolean' ? null : refusal('args.value', value, 'true or false');
  }
  // Written so that NaN fails too; a PWM takes whole numbers only.
  if (
    typeof value === 'number' &&
    value >= min &&
    value <= max &&
    (!actuator.integer || Math.floor(value) === value)
  ) {
    return null;
  }
  return refusal('args.value', value, `${actuator.integer ? 'integer ' : ''}${min}..${max}`);
}

function drive(io: PinIO, actuator: ActuatorPlan, value: ReadingValue): void {
  const min = actuator.min;
  const max = actuator.max;
  if (SERVO && actuator.part === 'servo') io.servoWrite(actuator.pin, value as number);
  // The IO takes a duty cycle 0-1 whatever the part's scale (PWM 0-255).
  else if (PWM && min !== undefined && max !== undefined)
    io.pwmWrite(actuator.pin, ((value as number) - min) / (max - min));
  else io.digitalWrite(actuator.pin, value as boolean);
}

/** Prepares every actuator's pin and drives it to its initial value. */
export function setupActuators(actuators: ActuatorPlan[], io: PinIO): void {
  for (let i = 0; i < actuators.length; i++) {
    const actuator = actuators[i];
    io.setup(
      actuator.pin,
      actuator.part === 'servo' ? 'servo' : actuator.max !== undefined ? 'pwm' : 'digital-out',
    );
    drive(io, actuator, actuator.initial);
  }
}

/** Drives actuator `id` to `value`; returns null, or why not (unknown actuator, bad value). */
export function setActuator(
  actuators: ActuatorPlan[],
  io: PinIO,
  id: string,
  value: unknown,
): string | null {
  const known: string[] = [];
  for (let i = 0; i < actuators.length; i++) {
    const actuator = actuators[i];
    if (actuator.id === id) {
      const problem = checkActuatorValue(actuator, value);
      if (problem === null) drive(io, actuator, value as ReadingValue);
      return problem;
    }
    known.push(actuator.id);
  }
  return `unknown actuator ${JSON.stringify(id)} (known: ${known.join(', ') || 'none'})`;
}
