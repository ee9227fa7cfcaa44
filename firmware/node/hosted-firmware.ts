/**
 * What a Node firmware slot (node-bundle.ts) runs: the device runtime of `fullstack device run`,
 * with the config and firmware id the slot carries, and the run options `fullstack device host`
 * passed in FULLSTACK_DEVICE_OPTIONS. Under the host the runtime takes the ota-* commands and
 * reports its acknowledged birth (run-device.ts).
 */
import type { DeviceConfig } from '../../hardware/config/types.js';
import { type RunDeviceOptions, runDevice } from './run-device.js';

export const DEVICE_OPTIONS_ENV = 'FULLSTACK_DEVICE_OPTIONS';

/** The run options the host hands its firmware (no config: the slot has its own). */
export type HostedRunOptions = Omit<RunDeviceOptions, 'configPath' | 'config' | 'fw'>;

function hostedOptions(): HostedRunOptions {
  const text = process.env[DEVICE_OPTIONS_ENV];
  if (!text)
    throw new Error(`${DEVICE_OPTIONS_ENV} is not set: run with \`fullstack device host\``);
  const value = JSON.parse(text) as Partial<HostedRunOptions>;
  if (typeof value.stateDir !== 'string' || typeof value.logLevel !== 'string') {
    throw new Error(`${DEVICE_OPTIONS_ENV}: expected {stateDir, logLevel, …}, got ${text}`);
  }
  return { ...value, simulate: value.simulate === true } as HostedRunOptions;
}

export async function runHostedFirmware(slot: { fw: string; config: DeviceConfig }): Promise<void> {
  await runDevice({
    ...hostedOptions(),
    configPath: `the firmware slot of ${slot.config.id} (${slot.fw})`,
    config: slot.config,
    fw: slot.fw,
  });
}
