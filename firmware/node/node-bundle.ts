/**
 * The Node firmware target (a Pi, or a simulated device on Node), as `fullstack device host`
 * installs it in an A/B slot and `fullstack ota` sends it: one CommonJS file that carries the
 * device config and its firmware id as data and starts the device runtime of the FullStack
 * installed on the machine (hosted-firmware.ts, named by the host in FULLSTACK_DEVICE_RUNTIME).
 *
 * Why not one esbuild bundle of the whole runtime: the board registry and the config loader
 * find their JSON files next to their modules (import.meta.url), which a CommonJS bundle does
 * not have, and johnny-five, serialport and mqtt are native or large; the runtime's code is
 * updated with the package (npm), the device's firmware (config, identity) over the air.
 * Any other CommonJS file can be sent with `fullstack ota --bundle` (the OTA tests do).
 */
import { createHash } from 'node:crypto';
import type { DeviceConfig } from '../../hardware/config/types.js';
import { firmwareId } from './profiles.js';

/** The environment variable the host sets to the runtime module the bundle loads. */
export const DEVICE_RUNTIME_ENV = 'FULLSTACK_DEVICE_RUNTIME';

export interface NodeBundle {
  code: string;
  /** fullstack/<version>+<first 8 hex digits of the config's sha256>: a new config, a new fw. */
  fw: string;
}

export function buildNodeBundle(config: DeviceConfig, options: { fw?: string } = {}): NodeBundle {
  const data = JSON.stringify(config);
  const digest = createHash('sha256').update(data).digest('hex').slice(0, 8);
  const fw = options.fw ?? `${firmwareId()}+${digest}`;
  const code = `'use strict';
// FullStack Node firmware for device ${JSON.stringify(config.id)}, ${fw}. Run by \`fullstack device host\`.
const slot = { fw: ${JSON.stringify(fw)}, config: ${data} };
const runtime = process.env.${DEVICE_RUNTIME_ENV};
if (!runtime) {
  console.error('${DEVICE_RUNTIME_ENV} is not set: run this firmware with \`fullstack device host\`');
  process.exit(1);
}
import(require('node:url').pathToFileURL(runtime).href)
  .then((m) => m.runHostedFirmware(slot))
  .then(() => process.exit())
  .catch((error) => {
    console.error(error && error.message ? error.message : error);
    process.exit(1);
  });
`;
  return { code, fw };
}
