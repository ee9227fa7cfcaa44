/**
 * The simulated devices of `fullstack up`: N child processes, each `fullstack device run` of one
 * of the shipped simulated device configs on a virtual board. Device k uses config
 * sim-((k-1) mod 3 + 1) with the id `sim-k`, so any N works with three configs.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { ChildSpec } from '../../gateway/supervisor/index.js';
import { processChild } from '../../gateway/supervisor/process-child.js';
import type { Logger } from '../../lib/log.js';
import { distPath, repoPath } from '../../lib/paths.js';

export const SIM_CONFIGS = ['sim-1.json', 'sim-2.json', 'sim-3.json'];

export interface SimDevice {
  id: string;
  configPath: string;
}

export function simulatedDevices(count: number): SimDevice[] {
  return Array.from({ length: count }, (_, index) => ({
    id: `sim-${index + 1}`,
    configPath: repoPath('hardware', 'devices', SIM_CONFIGS[index % SIM_CONFIGS.length] as string),
  }));
}

export function checkSimConfigs(devices: readonly SimDevice[]): void {
  for (const device of devices) {
    if (!existsSync(device.configPath)) {
      throw new Error(`simulated device config ${device.configPath} is missing`);
    }
  }
}

export function simDeviceSpec(options: {
  device: SimDevice;
  brokerUrl: () => string;
  credentials?: () => { username: string; password: string } | undefined;
  stateDir: string;
  logger: Logger;
}): ChildSpec {
  const { device, logger } = options;
  return {
    id: device.id,
    restart: 'permanent',
    shutdownMs: 3000,
    start: () => {
      const credentials = options.credentials?.();
      return processChild({
        id: device.id,
        command: process.execPath,
        args: [
          distPath('cli', 'main.js'),
          'device',
          'run',
          device.configPath,
          '--simulate',
          '--id',
          device.id,
          '--broker',
          options.brokerUrl(),
          '--state-dir',
          join(options.stateDir, 'devices'),
        ],
        env: {
          ...process.env,
          ...(credentials
            ? {
                FULLSTACK_MQTT_USERNAME: credentials.username,
                FULLSTACK_MQTT_PASSWORD: credentials.password,
              }
            : {}),
        },
        logger,
        killTimeoutMs: 3000,
      });
    },
  };
}
