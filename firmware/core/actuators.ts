/** Actuators: validate a value against the part's range, then drive the pin. */
import type { ReadingValue } from '../../contract/payloads.js';
import { PWM, SERVO } from './features.js';
import type { ActuatorPlan, PinIO } from './types.js';

/** Throws the error of a refused argument: the field, the value and what is allowed, as in
 *  `bad args.value: 200 (allowed 0..180)`. Short, because a board carries every one. */
export function refuse(field: string, value: unknown, allowed: string): never {
  throw new Error(`bad ${field}: ${JSON.stringify(value)} (allowed ${allowed})`);
}

/** Throws the error of a name that is not there: what was asked for and what there is, as in
 *  `unknown actuator "fan" (known: lamp)`; one text for actuators, sensors and commands. */
export function unknown(what: string, name: unknown, known: string[]): never {
  throw new Error(`unknown ${what} ${JSON.stringify(name)} (known: ${known.join(', ') || 'none'})`);
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
      SERVO && actuator.part === 'servo'
        ? 'servo'
        : PWM && actuator.max !== undefined
          ? 'pwm'
          : 'output',
    );
    drive(io, actuator, actuator.initial);
  }
}

/** Drives actuator `id` to `value`, or throws why not (unknown actuator, bad value). */
export function setActuator(actuators: ActuatorPlan[], io: PinIO, id: string, value: unknown) {
  const known: string[] = [];
  for (let i = 0; i < actuators.length; i++) {
    const actuator = actuators[i];
    if (actuator.id !== id) {
      known.push(actuator.id);
      continue;
    }
    const min = actuator.min;
    const max = actuator.max;
    // On/off parts (led, relay) take true or false; a bundle without PWM or servo has no other.
    if (!(PWM || SERVO) || min === undefined || max === undefined) {
      if (typeof value !== 'boolean') refuse('args.value', value, 'true or false');
    } else if (
      // Written so that NaN fails too; a PWM takes whole numbers only.
      !(
        typeof value === 'number' &&
        value >= min &&
        value <= max &&
        (!actuator.integer || Math.floor(value) === value)
      )
    ) {
      refuse('args.value', value, `${actuator.integer ? 'integer ' : ''}${min}..${max}`);
    }
    return drive(io, actuator, value as ReadingValue);
  }
  unknown('actuator', id, known);
}
