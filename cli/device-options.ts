/** The options `fullstack device run` and `fullstack device host` share, defined once. */
import { type Command, Option } from 'commander';
import { parseBrokerUrl, parseDeviceId } from './options.js';

const LOG_LEVELS = ['trace', 'debug', 'info', 'warn', 'error', 'silent'];

export interface DeviceCommonOptions {
  port?: string;
  broker?: string;
  id?: string;
  simulate: boolean;
  stateDir: string;
  logLevel: string;
}

/** Adds --port, --broker, --id, --simulate, --state-dir and --log-level to a device command. */
export function withDeviceOptions(command: Command, stateDirHelp: string): Command {
  return command
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
    .option('--state-dir <dir>', stateDirHelp, './data/devices')
    .addOption(
      new Option('--log-level <level>', 'log level (logs go to stderr)')
        .choices(LOG_LEVELS)
        .default('info'),
    );
}

/** A simulated device has no serial port: the two options exclude each other. */
export function checkDeviceOptions(options: DeviceCommonOptions): void {
  if (options.port && options.simulate) {
    throw new Error(
      '--port and --simulate exclude each other (a simulated device has no serial port)',
    );
  }
}
