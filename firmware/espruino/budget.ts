/**
 * How much of a board a bundle takes: bytes (the 8 KB budget for three sensors) and variables
 * at steady state (the 900-variable budget; an ESP8266 has 1,700). Espruino has no heap
 * profiler we can run here, so variables are estimated the way the interpreter stores things
 * (espruino.com/Internals: one variable is 12 to 16 bytes):
 *   - code: functions keep their source text, about 12 characters per variable;
 *   - the plan: counted value by value like E.getSizeOf (hardware/virtual/espruino/sandbox.ts);
 *   - the outbox: its typed arrays, (8 + 1 + 4 x channels) bytes per slot, 12 bytes a
 *     variable, allocated once at start, so full or empty it costs the same;
 *   - a fixed allowance for the rest of the running state (timers, the socket, sampler and
 *     MQTT client state, closures), measured roughly in the sandbox as ~60 variables.
 */
import { sizeInVariables } from '../../hardware/virtual/espruino/sandbox.js';
import type { RuntimePlan } from '../core/types.js';

export const RUNNING_STATE_VARS = 60;

export interface VarsEstimate {
  code: number;
  plan: number;
  outbox: number;
  running: number;
  total: number;
}

export function estimateVars(code: string, plan: RuntimePlan): VarsEstimate {
  let channels = 0;
  for (const sensor of plan.sensors) channels += sensor.channels.length;
  const codeVars = Math.ceil(code.length / 12);
  const planVars = sizeInVariables(plan);
  const outbox = Math.ceil((plan.bufferSize * (9 + 4 * channels)) / 12);
  return {
    code: codeVars,
    plan: planVars,
    outbox,
    running: RUNNING_STATE_VARS,
    total: codeVars + planVars + outbox + RUNNING_STATE_VARS,
  };
}
