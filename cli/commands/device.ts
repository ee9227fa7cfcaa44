/**
 * `fullstack device run <config>`: run one device (simulated, a USB Firmata board, or a Pi);
 * `fullstack device host <config>`: the same from A/B firmware slots, for OTA (device-host.ts).
 */
import type { Command } from 'commander';
import { runDevice } from '../../firmware/node/run-device.js';
import { PARENT_PID_ENV, stopWhenParentDies } from '../../lib/parent-watch.js';
import {
  checkDeviceOptions,
  type DeviceCommonOptions,
  withDeviceOptions,
} from '../device-options.js';
import { registerDeviceHost } from './device-host.js';

export function register(program: Command): void {
  const device = program.command('device').description('run a device');
  withDeviceOptions(
    device
      .command('run')
      .description('run one device from its config: sample sensors, drive actuators, speak MQTT')
      .argument('<config>', 'device config file (hardware/devices/<id>.json)'),
    'where devices keep state: the boot counter is <dir>/<id>/boot',
  )
    .addHelpText(
      'after',
      '\nMQTT credentials: the config\'s broker.username/password, or FULLSTACK_MQTT_USERNAME and\nFULLSTACK_MQTT_PASSWORD in the environment (never on the command line, where ps shows them).\nStops cleanly on SIGINT or SIGTERM, publishing {"online":false,"reason":"clean"} first.',
    )
    .action(async (configPath: string, opts: DeviceCommonOptions) => {
      checkDeviceOptions(opts);
      // Under `fullstack up`: stop (cleanly) if it is gone, even after a SIGKILL.
      if (process.env[PARENT_PID_ENV]) stopWhenParentDies();
      await runDevice({ configPath, ...opts });
    });
  registerDeviceHost(device);
}
