/**
 * The sensor and actuator catalog: one entry per part, keyed by `kind` (the `part` of a device
 * config's sensor or actuator).
 */
import { bme280 } from './parts/bme280.js';
import { buttonPart } from './parts/button.js';
import { ds18b20 } from './parts/ds18b20.js';
import { led } from './parts/led.js';
import { lm35 } from './parts/lm35.js';
import { ntc } from './parts/ntc.js';
import { photoresistor } from './parts/photoresistor.js';
import { pir } from './parts/pir.js';
import { pwm } from './parts/pwm.js';
import { relay } from './parts/relay.js';
import { servo } from './parts/servo.js';
import { tmp36 } from './parts/tmp36.js';
import type { ActuatorPart, AnySensorPart, CatalogPart, ParamSpec, PartParams } from './types.js';

export { countsToVolts, voltsToCounts } from './analog.js';
export * from './parts/bme280.js';
export * from './parts/bme280-compensation.js';
export * from './parts/bme280-registers.js';
export type * from './types.js';

const SENSORS: readonly AnySensorPart[] = [
  tmp36,
  lm35,
  ntc,
  photoresistor,
  buttonPart,
  pir,
  ds18b20,
  bme280,
];
const ACTUATORS: readonly ActuatorPart[] = [led, relay, pwm, servo];
const PARTS = new Map<string, CatalogPart>([...SENSORS, ...ACTUATORS].map((p) => [p.kind, p]));

export function listParts(): CatalogPart[] {
  return [...PARTS.values()];
}

export function sensorKinds(): string[] {
  return SENSORS.map((p) => p.kind);
}

export function actuatorKinds(): string[] {
  return ACTUATORS.map((p) => p.kind);
}

export function findPart(kind: string): CatalogPart | undefined {
  return PARTS.get(kind);
}

/** The part `kind`; throws listing the known kinds. */
export function getPart(kind: string): CatalogPart {
  const part = PARTS.get(kind);
  if (!part)
    throw new Error(
      `unknown part ${JSON.stringify(kind)} (known: ${[...PARTS.keys()].join(', ')})`,
    );
  return part;
}

export function getSensorPart(kind: string): AnySensorPart {
  const part = getPart(kind);
  if (part.category !== 'sensor') {
    throw new Error(`${kind} is an actuator, not a sensor (sensors: ${sensorKinds().join(', ')})`);
  }
  return part;
}

export function getActuatorPart(kind: string): ActuatorPart {
  const part = getPart(kind);
  if (part.category !== 'actuator') {
    throw new Error(
      `${kind} is a sensor, not an actuator (actuators: ${actuatorKinds().join(', ')})`,
    );
  }
  return part;
}

/** A sensor's or actuator's params over the part's defaults: what ConvertContext.params holds. */
export function resolveParams(part: CatalogPart, given: PartParams = {}): PartParams {
  const out: PartParams = {};
  for (const [key, spec] of Object.entries(part.params)) out[key] = spec.default;
  return { ...out, ...given };
}

/** Problems with `given` params: unknown names, wrong types, out of range. Keys are param names. */
export function checkParams(
  part: CatalogPart,
  given: PartParams = {},
): { key: string; message: string }[] {
  const problems: { key: string; message: string }[] = [];
  const known = Object.keys(part.params);
  for (const [key, value] of Object.entries(given)) {
    const spec: ParamSpec | undefined = part.params[key];
    if (!spec) {
      problems.push({
        key,
        message: `is not a param of ${part.kind} (its params: ${known.length > 0 ? known.join(', ') : 'none'})`,
      });
      continue;
    }
    const shown = typeof value === 'string' ? JSON.stringify(value) : String(value);
    if (spec.type === 'number') {
      if (typeof value !== 'number' || value < spec.min || value > spec.max) {
        problems.push({
          key,
          message: `is ${shown}, allowed: a number from ${spec.min} to ${spec.max}${spec.unit ? ` ${spec.unit}` : ''} (${spec.description})`,
        });
      }
    } else if (spec.type === 'enum') {
      if (typeof value !== 'string' || !spec.allowed.includes(value)) {
        problems.push({
          key,
          message: `is ${shown}, allowed: ${spec.allowed.map((a) => JSON.stringify(a)).join(', ')}`,
        });
      }
    } else if (typeof value !== 'boolean') {
      problems.push({ key, message: `is ${shown}, allowed: true or false (${spec.description})` });
    }
  }
  return problems;
}
