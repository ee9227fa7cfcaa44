/**
 * `fullstack device run <config>`: run one device (simulated, a USB Firmata board, or a Pi);
 * `fullstack device host <config>`: the same from A/B firmware slots, for OTA (device-host.ts).
 */
import { type Command, Option } from 'commander';
import { runDevice } from '../../firmware/node/run-device.js';
import { PARENT_PID_ENV, stopWhenParentDies } from '../../lib/parent-watch.js';
import { parseBrokerUrl, parseDeviceId } from '../options.js';
import { registerDeviceHost } from './device-host.js';

const LOG_LEVELS = ['trace', 'debug', 'info', 'warn', 'error', 'silent'];

export function register(program: Command): void {
  const device = program.command('device').description('run a device');
  device
    .command('run')
    .description('run one device from its config: sample sensors, drive actuators, speak MQTT')
    .argument('<config>', 'device config file (hardware/devices/<id>.json)')
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
      'where devices keep state: the boot counter is <dir>/<id>/boot',
      './data/devices',
    )
    .addOption(
      new Option('--log-level <level>', 'log level (logs go to stderr)')
        .choices(LOG_LEVELS)
        .default('info'),
    )
    .addHelpText(
      'after',
      '\nMQTT credentials: the config\'s broker.username/password, or FULLSTACK_MQTT_USERNAME and\nFULLSTACK_MQTT_PASSWORD in the environment (never on the command line, where ps shows them).\nStops cleanly on SIGINT or SIGTERM, publishing {"online":false,"reason":"clean"} first.',
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
          logLevel: string;
        },
      ) => {
        if (opts.port && opts.simulate) {
          throw new Error(
            '--port and --simulate exclude each other (a simulated device has no serial port)',
          );
        }
        // Under `fullstack up`: stop (cleanly) if it is gone, even after a SIGKILL.
        if (process.env[PARENT_PID_ENV]) stopWhenParentDies();
        await runDevice({ configPath, ...opts });
      },
    );
  registerDeviceHost(device);
}
