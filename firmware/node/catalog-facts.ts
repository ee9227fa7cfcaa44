/**
 * The core's PartFacts from the hardware catalog: channels (as hardware/config names them),
 * default sampling, actuator ranges. Deadbands are the runtime's defaults per quantity, used
 * when a sensor's config sets none.
 */

import type { PartCatalog } from '../../contract/payloads.js';
import {
  getActuatorPart,
  getSensorPart,
  listParts,
  type ParamSpec,
} from '../../hardware/catalog/index.js';
import type { PartFacts } from '../core/part-facts.js';

/** Smallest change worth a report, per quantity, in its unit. */
export const DEFAULT_DEADBANDS: Record<string, number> = {
  temperature: 0.2,
  humidity: 1,
  pressure: 0.5,
  light: 2,
  raw: 0,
  button: 0,
  motion: 0,
};

function numericDefaults(specs: Record<string, ParamSpec>): Record<string, number> {
  const defaults: Record<string, number> = {};
  for (const [name, spec] of Object.entries(specs))
    if (spec.type === 'number') defaults[name] = spec.default;
  return defaults;
}

export function catalogPartFacts(): PartFacts {
  const facts: PartFacts = { sensors: {}, actuators: {} };
  for (const entry of listParts()) {
    if (entry.category === 'sensor') {
      const part = getSensorPart(entry.kind);
      facts.sensors[part.kind] = {
        sampleMs: part.defaultSampleMs,
        params: numericDefaults(part.params),
        ...(part.i2cAddresses ? { address: part.i2cAddresses[0] } : {}),
        channels: part.quantities.map((q) => ({
          suffix: part.quantities.length === 1 ? null : q.quantity,
          kind: q.quantity,
          unit: q.unit,
          deadband: DEFAULT_DEADBANDS[q.quantity] ?? 0,
          decimals: q.boolean ? 0 : (q.decimals ?? 2),
        })),
      };
    } else {
      const part = getActuatorPart(entry.kind);
      facts.actuators[part.kind] =
        part.value.type === 'boolean'
          ? { valueType: 'boolean', min: 0, max: 1, integer: false }
          : {
              valueType: 'number',
              min: part.value.range[0],
              max: part.value.range[1],
              integer: part.value.integer,
            };
    }
  }
  return facts;
}

/** The contract's PartCatalog from the same facts the firmware plans with, so a birth in
 *  catalog form expands to exactly the readings the device sends (contract expandPartsBirth). */
export function partCatalog(facts: PartFacts = catalogPartFacts()): PartCatalog {
  return (part) => {
    if (Object.hasOwn(facts.sensors, part)) {
      const sensor = facts.sensors[part] as PartFacts['sensors'][string];
      return { category: 'sensor', channels: sensor.channels };
    }
    return Object.hasOwn(facts.actuators, part) ? { category: 'actuator' } : undefined;
  };
}
