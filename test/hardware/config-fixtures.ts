/** What the device-config suites share: a config on an Uno and its problems as lines. */
import * as assert from 'uvu/assert';
import { type DeviceConfig, validateDeviceConfig } from '../../hardware/config/index.js';

export function uno(parts: Partial<DeviceConfig>): DeviceConfig {
  return { id: 'bench', board: 'uno', sensors: [], actuators: [], ...parts };
}

/** Problems as `path: message` lines. */
export function problems(value: unknown): string[] {
  return validateDeviceConfig(value).map((p) => `${p.path}: ${p.message}`);
}

export function expectOne(value: unknown, expected: string): void {
  assert.equal(problems(value), [expected]);
}
