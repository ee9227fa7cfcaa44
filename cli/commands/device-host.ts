/**
 * `fullstack device host <config>`: run a device from A/B firmware slots through the firmware
 * host, so `fullstack ota` can replace its firmware and a new one without a birth rolls back.
 * A subcommand of `fullstack device` (device.ts registers it).
 */
import { type Command, Option } from 'commander';
import { hostDevice } from '../../firmware/node/device-host.js';
import { DEFAULT_TRIAL_MS } from '../../firmware/ota/node-device.js';
import {
  checkDeviceOptions,
  type DeviceCommonOptions,
  withDeviceOptions,
} from '../device-options.js';
import { parseIntInRange } from '../options.js';

export function registerDeviceHost(device: Command): void {
  withDeviceOptions(
    device
      .command('host')
      .description(
        'run a device from A/B firmware slots: over-the-air updates with rollback (a Pi service)',
      )
      .argument('<config>', 'device config file; its firmware is installed on the first start'),
    'where devices keep state: <dir>/<id>/boot and the slots in <dir>/<id>/firmware',
  )
    .option(
      '--slots-dir <dir>',
      'where the A/B slots and boot.json live (default under --state-dir)',
    )
    .addOption(
      new Option('--trial-ms <ms>', 'time a new firmware has to send its birth before rollback')
        .default(DEFAULT_TRIAL_MS)
        .argParser(parseIntInRange(1000, 600_000)),
    )
    .option('--reinstall', "install the config's firmware over what the slots hold", false)
    .addHelpText(
      'after',
      "\nThe first start installs the config's firmware in slot a; later starts run what the slots\nhold (an OTA update may have replaced it). Credentials as for `fullstack device run`.\nStops cleanly on SIGINT or SIGTERM.",
    )
    .action(
      async (
        configPath: string,
        opts: DeviceCommonOptions & { slotsDir?: string; trialMs: number; reinstall: boolean },
      ) => {
        checkDeviceOptions(opts);
        await hostDevice({ configPath, ...opts });
      },
    );
}
