/**
 * Reads a device config file for the runtime. The full validation (pins, wiring, catalog) is
 * hardware/config's; this checks what the runtime itself relies on, naming the field.
 */
import { readFileSync } from 'node:fs';
import { DEVICE_ID_PATTERN } from '../../contract/topics.js';
import type { DeviceConfig } from '../../hardware/config/types.js';

export function readDeviceConfigFile(path: string): DeviceConfig {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw new Error(`cannot read device config ${path}: ${(error as Error).message}`);
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new Error(`device config ${path} is not JSON: ${(error as Error).message}`);
  }
  const config = value as Partial<DeviceConfig>;
  if (typeof config !== 'object' || config === null)
    throw new Error(`device config ${path}: expected an object`);
  if (typeof config.id !== 'string' || !DEVICE_ID_PATTERN.test(config.id)) {
    throw new Error(
      `device config ${path}: id ${JSON.stringify(config.id)} must match ${DEVICE_ID_PATTERN.source}`,
    );
  }
  if (typeof config.board !== 'string')
    throw new Error(`device config ${path}: board is missing (a board profile id, e.g. "uno")`);
  if (!Array.isArray(config.sensors))
    throw new Error(`device config ${path}: sensors must be an array`);
  if (!Array.isArray(config.actuators))
    throw new Error(`device config ${path}: actuators must be an array`);
  return config as DeviceConfig;
}
