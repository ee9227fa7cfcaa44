/** Wiring diagrams: a device config drawn as SVG (board, parts, rails, pull-ups, wires). */
import type { DeviceConfig } from '../config/types.js';
import { planWiring } from './plan.js';
import { renderSvg } from './render.js';

export { type Circuit, circuitFor, type Element, type Terminal } from './circuits.js';
export { type PartPlan, planWiring, type WiringPlan } from './plan.js';

/** The SVG document for `config`, which must be valid (see validateDeviceConfig). */
export function renderWiringSvg(config: DeviceConfig): string {
  return renderSvg(planWiring(config));
}
