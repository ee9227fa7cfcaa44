/**
 * Device configs: validate one (every problem at once, each naming the field, the bad value and
 * what is allowed), load one from a file, and derive what the device reports.
 */
import { readFileSync } from 'node:fs';
import { Ajv } from 'ajv';
import { ConfigError, type Problem, problemsFromAjv } from './problems.js';
import { deviceConfigSchema } from './schema.js';
import type { DeviceConfig } from './types.js';
import { checkWiring } from './wiring-checks.js';

export { birthParts, type ReadingChannel, readingChannels, sensorChannels } from './channels.js';
export {
  DEFAULT_BUFFER_SIZE,
  DEFAULT_MAX_REPORT_MS,
  DEFAULT_MIN_REPORT_MS,
  type SensorTiming,
  sensorTiming,
} from './defaults.js';
export { ConfigError, formatProblem, type Problem } from './problems.js';
export { deviceConfigSchema } from './schema.js';
export {
  listShippedDevices,
  SHIPPED_DEVICES_DIR,
  shippedDevicePath,
  simulatedDevicePaths,
} from './shipped.js';
export type * from './types.js';

const validateSchema = new Ajv({
  allErrors: true,
  strict: true,
  allowUnionTypes: true,
  verbose: true,
}).compile(deviceConfigSchema);

/** Every problem with `value` as a device config; empty when it is valid. */
export function validateDeviceConfig(value: unknown): Problem[] {
  if (!validateSchema(value)) return problemsFromAjv(validateSchema.errors, value);
  return checkWiring(value as DeviceConfig);
}

/** Parses and validates a device config; throws a ConfigError holding every problem. */
export function parseDeviceConfig(text: string, source: string): DeviceConfig {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new ConfigError(source, [
      { path: '', message: `is not valid JSON: ${(error as Error).message}` },
    ]);
  }
  const problems = validateDeviceConfig(value);
  if (problems.length > 0) throw new ConfigError(source, problems);
  return value as DeviceConfig;
}

export function loadDeviceConfig(path: string): DeviceConfig {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw new ConfigError(path, [
      { path: '', message: `cannot be read: ${(error as Error).message}` },
    ]);
  }
  return parseDeviceConfig(text, path);
}
