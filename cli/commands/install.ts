/**
 * `fullstack install [--dry-run]` and `fullstack uninstall [--dry-run] [--purge]`: systemd
 * services for a Pi (the gateway, Node-RED and each device runtime). See deploy/systemd.ts.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { basename, resolve } from 'node:path';
import { type Command, InvalidArgumentError, Option } from 'commander';
import { DEVICE_ID_PATTERN } from '../../contract/topics.js';
import {
  type Action,
  type DeviceSource,
  describeAction,
  installActions,
  uninstallActions,
} from '../../deploy/actions.js';
import { runActions } from '../../deploy/run-actions.js';
import type { InstallPlan } from '../../deploy/systemd.js';
import { REPO_ROOT } from '../../lib/paths.js';
import { parsePort } from '../options.js';

/** Groups that give the services hardware access, when the machine has them. */
const HARDWARE_GROUPS = ['dialout', 'gpio', 'i2c', 'spi'];

export interface InstallOptions {
  dryRun: boolean;
  user: string;
  dataDir: string;
  configDir: string;
  unitDir: string;
  host: string;
  mqttPort: number;
  uiPort: number;
  gatewayPort: number;
  device: string[];
  watchdog: boolean;
}

export interface MachineFacts {
  /** /etc/passwd and /etc/group contents. */
  passwd: string;
  group: string;
  isRoot: boolean;
  node: string;
  root: string;
}

export function machineFacts(): MachineFacts {
  const read = (path: string) => (existsSync(path) ? readFileSync(path, 'utf8') : '');
  return {
    passwd: read('/etc/passwd'),
    group: read('/etc/group'),
    isRoot: process.getuid?.() === 0,
    node: process.execPath,
    root: REPO_ROOT,
  };
}

function names(table: string): Set<string> {
  return new Set(
    table
      .split('\n')
      .map((line) => line.split(':')[0]!)
      .filter(Boolean),
  );
}

export function readDeviceSource(path: string): DeviceSource {
  let id: unknown;
  try {
    id = (JSON.parse(readFileSync(path, 'utf8')) as { id?: unknown }).id;
  } catch (error) {
    throw new InvalidArgumentError(
      `--device ${path}: cannot read it as JSON (${(error as Error).message}).`,
    );
  }
  if (typeof id !== 'string' || !DEVICE_ID_PATTERN.test(id)) {
    throw new InvalidArgumentError(
      `--device ${path}: field id is ${JSON.stringify(id)}, expected a device id (${DEVICE_ID_PATTERN.source}).`,
    );
  }
  return { id, path: resolve(path) };
}

export function planFor(
  options: InstallOptions,
  facts: MachineFacts,
  devices: string[],
): InstallPlan {
  const groups = names(facts.group);
  return {
    user: options.user,
    root: facts.root,
    node: facts.node,
    dataDir: resolve(options.dataDir),
    configDir: resolve(options.configDir),
    unitDir: resolve(options.unitDir),
    host: options.host,
    mqttPort: options.mqttPort,
    uiPort: options.uiPort,
    gatewayPort: options.gatewayPort,
    devices,
    watchdog: options.watchdog ? ['gateway'] : [],
    hardwareGroups: HARDWARE_GROUPS.filter((g) => groups.has(g)),
  };
}

function carryOut(
  actions: Action[],
  dryRun: boolean,
  facts: MachineFacts,
  write: (text: string) => void,
): void {
  if (dryRun) {
    write(
      `# fullstack: dry run; nothing was changed. As root this would run:\n\n${actions.map(describeAction).join('\n\n')}`,
    );
    return;
  }
  if (!facts.isRoot) {
    throw new Error(
      'installing services needs root: run `sudo fullstack install` (or add --dry-run to see what it would do)',
    );
  }
  runActions(actions, write);
}

export function runInstall(
  options: InstallOptions,
  facts: MachineFacts,
  write: (text: string) => void,
): void {
  const devices = options.device.map(readDeviceSource);
  const plan = planFor(
    options,
    facts,
    devices.map((d) => d.id),
  );
  const actions = installActions(plan, devices, {
    userExists: names(facts.passwd).has(options.user),
  });
  carryOut(actions, options.dryRun, facts, write);
  if (!options.dryRun) write(`Installed. Logs: journalctl -u 'fullstack-*' -f`);
}

export function runUninstall(
  options: InstallOptions & { purge: boolean },
  facts: MachineFacts,
  write: (text: string) => void,
): void {
  const installed = existsSync(options.configDir)
    ? readdirSync(options.configDir)
        .filter((f) => f.endsWith('.json'))
        .map((f) => basename(f, '.json'))
    : [];
  const plan = planFor(options, facts, installed);
  carryOut(
    uninstallActions(plan, { purge: options.purge, devices: installed }),
    options.dryRun,
    facts,
    write,
  );
}

function addCommonOptions(command: Command): Command {
  return command
    .option('--dry-run', 'print the units and commands; change nothing', false)
    .option('--user <name>', 'system user the services run as', 'fullstack')
    .option('--data-dir <dir>', 'state of the gateway, Node-RED and devices', '/var/lib/fullstack')
    .option('--config-dir <dir>', 'where device configs are kept', '/etc/fullstack/devices')
    .option('--unit-dir <dir>', 'where unit files go', '/etc/systemd/system')
    .option('--host <addr>', 'where the broker, gateway and Node-RED listen', '127.0.0.1')
    .addOption(
      new Option('--mqtt-port <port>', 'MQTT broker port').default(1883).argParser(parsePort),
    )
    .addOption(
      new Option('--ui-port <port>', 'Node-RED editor and dashboard port')
        .default(1880)
        .argParser(parsePort),
    )
    .addOption(
      new Option('--gateway-port <port>', 'gateway HTTP port').default(1881).argParser(parsePort),
    );
}

export function register(program: Command): void {
  addCommonOptions(
    program
      .command('install')
      .description('install systemd services on a Pi: gateway, Node-RED and device runtimes'),
  )
    .option(
      '--device <config>',
      'run this device config on the Pi (repeatable)',
      (v: string, all: string[]) => [...all, v],
      [],
    )
    .option('--no-watchdog', 'no systemd watchdog on the gateway (it pings systemd every 15 s)')
    .action((options: InstallOptions) =>
      runInstall(options, machineFacts(), (text) => console.log(text)),
    );
  addCommonOptions(
    program
      .command('uninstall')
      .description('stop and remove the services `fullstack install` wrote'),
  )
    .option('--purge', 'also delete the data directory, device configs and the user', false)
    .action((options: InstallOptions & { purge: boolean }) =>
      runUninstall({ ...options, device: [], watchdog: false }, machineFacts(), (text) =>
        console.log(text),
      ),
    );
}
