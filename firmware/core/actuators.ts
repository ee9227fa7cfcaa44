/** Actuators: validate a value against the part's range, then drive the pin. */
import type { ReadingValue } from '../../contract/payloads.js';
import { isFiniteNumber } from './drivers/types.js';
import type { ActuatorPlan, PinIO } from './types.js';

export interface Actuators {
  /** Drives one actuator; returns null, or a precise error (unknown actuator, bad value). */
  set(id: string, value: unknown): string | null;
  /** The last value written to each actuator. */
  values(): Record<string, ReadingValue>;
}

/** Why `value` is not acceptable for `actuator`, or null. */
export function checkActuatorValue(actuator: ActuatorPlan, value: unknown): string | null {
  const what = `${actuator.part} "${actuator.id}"`;
  if (actuator.valueType === 'boolean') {
    if (typeof value === 'boolean') return null;
    return `bad value for ${what}: ${JSON.stringify(value)} (allowed: true or false)`;
  }
  if (
    typeof value !== 'number' ||
    !isFiniteNumber(value) ||
    value < actuator.min ||
    value > actuator.max
  ) {
    return `bad value for ${what}: ${JSON.stringify(value)} (allowed: a number from ${actuator.min} to ${actuator.max})`;
  }
  if (actuator.integer && Math.floor(value) !== value) {
    return `bad value for ${what}: ${value} (allowed: a whole number from ${actuator.min} to ${actuator.max})`;
  }
  return null;
}

function drive(io: PinIO, actuator: ActuatorPlan, value: ReadingValue): void {
  if (actuator.part === 'servo') io.servoWrite(actuator.pin, value as number);
  else if (actuator.valueType === 'number') {
    // The IO takes a duty cycle 0-1 whatever the part's scale (PWM 0-255).
    io.pwmWrite(actuator.pin, ((value as number) - actuator.min) / (actuator.max - actuator.min));
  } else io.digitalWrite(actuator.pin, value as boolean);
}

export function createActuators(plans: ActuatorPlan[], io: PinIO): Actuators {
  const current: Record<string, ReadingValue> = {};
  for (let i = 0; i < plans.length; i++) {
    const actuator = plans[i] as ActuatorPlan;
    io.setup(
      actuator.pin,
      actuator.part === 'servo' ? 'servo' : actuator.valueType === 'number' ? 'pwm' : 'digital-out',
    );
    drive(io, actuator, actuator.initial);
    current[actuator.id] = actuator.initial;
  }

  return {
    set(id, value) {
      let actuator: ActuatorPlan | null = null;
      const known: string[] = [];
      for (let i = 0; i < plans.length; i++) {
        const candidate = plans[i] as ActuatorPlan;
        known.push(candidate.id);
        if (candidate.id === id) actuator = candidate;
      }
      if (actuator === null) {
        return `unknown actuator ${JSON.stringify(id)} (known: ${known.length > 0 ? known.join(', ') : 'none'})`;
      }
      const problem = checkActuatorValue(actuator, value);
      if (problem !== null) return problem;
      drive(io, actuator, value as ReadingValue);
      current[actuator.id] = value as ReadingValue;
      return null;
    },
    values() {
      return current;
    },
  };
}
