/**
 * The device configs shipped in hardware/devices/: examples for each runtime target and the
 * simulated devices `fullstack up` starts (sim-1.json, sim-2.json…, on virtual Uno boards).
 */
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const SHIPPED_DEVICES_DIR = fileURLToPath(new URL('../devices/', import.meta.url));

/** Absolute paths of every shipped config, sorted. */
export function listShippedDevices(dir: string = SHIPPED_DEVICES_DIR): string[] {
  return readdirSync(dir)
    .filter((f) => f.endsWith('.json'))
    .sort()
    .map((f) => join(dir, f));
}

export function shippedDevicePath(id: string, dir: string = SHIPPED_DEVICES_DIR): string {
  return join(dir, `${id}.json`);
}

/** sim-1.json … sim-<count>.json; throws if fewer are shipped, naming the missing file. */
export function simulatedDevicePaths(count: number, dir: string = SHIPPED_DEVICES_DIR): string[] {
  const paths = Array.from({ length: count }, (_, i) => shippedDevicePath(`sim-${i + 1}`, dir));
  const missing = paths.find((p) => !existsSync(p));
  if (missing) {
    const have = readdirSync(dir).filter((f) => /^sim-\d+\.json$/.test(f)).length;
    throw new Error(
      `${count} simulated devices asked for, but only ${have} are defined (${missing} is missing)`,
    );
  }
  return paths;
}
