/** Value checks shared by the actuator parts: each error names the value and what is allowed. */
import type { PartParams } from '../types.js';

export function describe(value: unknown): string {
  return typeof value === 'string' ? JSON.stringify(value) : String(value);
}

/** On/off actuators take true/false, or 1/0 as Firmata and MQTT clients often send. */
export function validateOnOff(kind: string, value: unknown): string | undefined {
  if (typeof value === 'boolean' || value === 0 || value === 1) return undefined;
  return `${kind} value ${describe(value)} is not allowed (allowed: true, false, 1 or 0)`;
}

export function validateNumber(
  kind: string,
  value: unknown,
  [min, max]: [number, number],
  integer: boolean,
  unit = '',
): string | undefined {
  if (
    typeof value !== 'number' ||
    !Number.isFinite(value) ||
    (integer && !Number.isInteger(value))
  ) {
    return `${kind} value ${describe(value)} is not ${integer ? 'an integer' : 'a number'} (allowed: ${min} to ${max}${unit})`;
  }
  if (value < min || value > max) {
    return `${kind} value ${value} is out of range (allowed: ${min} to ${max}${unit})`;
  }
  return undefined;
}

export function numberOr(params: PartParams | undefined, key: string, fallback: number): number {
  const v = params?.[key];
  return typeof v === 'number' ? v : fallback;
}
