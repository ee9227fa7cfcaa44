/**
 * `fullstack device host <config>`: run a device from A/B firmware slots through the firmware
 * host, so `fullstack ota` can replace its firmware and a new one without a birth rolls back.
 * A subcommand of `fullstack device` (device.ts registers it).
 */
import { type Command, Option } from 'commander';
import { hostDevice } from '../../firmware/node/device-host.js';
import { DEFAULT_TRIAL_MS } from '../../firmware/ota/node-device.js';
import { parseBrokerUrl, parseDeviceId, parseIntInRange } from '../options.js';

const LOG_LEVELS = ['trace', 'debug', 'info', 'warn', 'error', 'silent'];

export function registerDeviceHost(device: Command): void {
  device
    .command('host')
    .description(
      'run a device from A/B firmware slots: over-the-air updates with rollback (a Pi service)',
    )
    .argument('<config>', 'device config file; its firmware is installed on the first start')
    .option('--port <path>', 'serial port of a USB Firmata board (e.g. /dev/ttyACM0)')
    .addOption(
      new Option(
        '--broker <url>',
        'MQTT broker, overriding the config (mqtt://host:port)',
      ).argParser(parseBrokerUrl),
    )
    .addOption(
      new Option('--id <id>', "device id, overriding the config's").argParser(parseDeviceId),
    )
    .option('--simulate', 'no hardware: run on a virtual board in a simulated world', false)
    .option(
      '--state-dir <dir>',
      'where devices keep state: <dir>/<id>/boot and the slots in <dir>/<id>/firmware',
      './data/devices',
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
    .addOption(
      new Option('--log-level <level>', 'log level (logs go to stderr)')
        .choices(LOG_LEVELS)
        .default('info'),
    )
    .addHelpText(
      'after',
      "\nThe first start installs the config's firmware in slot a; later starts run what the slots\nhold (an OTA update may have replaced it). Credentials as for `fullstack device run`.\nStops cleanly on SIGINT or SIGTERM.",
    )
    .action(
      async (
        configPath: string,
        opts: {
          port?: string;
          broker?: string;
          id?: string;
          simulate: boolean;
          stateDir: string;
          slotsDir?: string;
          trialMs: number;
          reinstall: boolean;
          logLevel: string;
        },
      ) => {
        if (opts.port && opts.simulate) {
          throw new Error(
            '--port and --simulate exclude each other (a simulated device has no serial port)',
          );
        }
        await hostDevice({ configPath, ...opts });
      },
    );
}
