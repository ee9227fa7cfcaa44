/**
 * `fullstack install [--dry-run]` and `fullstack uninstall [--dry-run] [--purge]`: systemd
 * services for a Pi (the gateway, Node-RED and each device runtime). See deploy/systemd.ts.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { basename, resolve } from 'node:path';
import { type Command, Option } from 'commander';
import {
  type Action,
  type DeviceSource,
  describeAction,
  installActions,
  uninstallActions,
} from '../../deploy/actions.js';
import { installPlanProblems, nameAndPathProblems } from '../../deploy/install-checks.js';
import { runActions } from '../../deploy/run-actions.js';
import type { InstallPlan } from '../../deploy/systemd.js';
import { getBoard } from '../../hardware/boards/index.js';
import {
  ConfigError,
  type DeviceConfig,
  formatProblem,
  loadDeviceConfig,
} from '../../hardware/config/index.js';
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

/**
 * A device config to run on the Pi, or every problem with it: the config must be valid (the
 * same checks as `fullstack check`), and its board must be one the Pi runs, not an Espruino
 * (flashed with `fullstack flash`, it runs on the board itself).
 */
export function readDeviceSource(path: string): { source?: DeviceSource; problems: string[] } {
  let config: DeviceConfig;
  try {
    config = loadDeviceConfig(path);
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    return { problems: error.problems.map((p) => `--device ${formatProblem(path, p)}`) };
  }
  const board = getBoard(config.board);
  if (board.target === 'espruino') {
    return {
      problems: [
        `--device ${path}: ${config.id} runs on an ${board.name}, an Espruino board: it is flashed, not run on the Pi. Flash it with \`fullstack flash ${path}\`; leave it out of install.`,
      ],
    };
  }
  return { source: { id: config.id, path: resolve(path) }, problems: [] };
}

/** Refuses with every problem at once, one per line. */
function refuse(command: string, problems: string[]): never {
  throw new Error(
    `${command}: ${problems.length === 1 ? 'a problem' : `${problems.length} problems`}, nothing was done:\n${problems.map((p) => `  ${p}`).join('\n')}`,
  );
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
  const read = options.device.map(readDeviceSource);
  const devices = read.flatMap((r) => (r.source ? [r.source] : []));
  const plan = planFor(
    options,
    facts,
    devices.map((d) => d.id),
  );
  const problems = [...read.flatMap((r) => r.problems), ...installPlanProblems(plan)];
  if (problems.length > 0) refuse('install', problems);
  const actions = installActions(plan, devices, {
    userExists: names(facts.passwd).has(options.user),
  });
  carryOut(actions, options.dryRun, facts, write);
  if (!options.dryRun) write(`Installed. Logs: journalctl -u 'fullstack-*' -f`);
}

/** Uninstall removes units by name: where the services listened does not matter to it. */
export type UninstallOptions = Pick<
  InstallOptions,
  'dryRun' | 'user' | 'dataDir' | 'configDir' | 'unitDir'
> & { purge: boolean };

const UNUSED_BY_UNINSTALL = {
  host: '127.0.0.1',
  mqttPort: 1883,
  uiPort: 1880,
  gatewayPort: 1881,
  device: [],
  watchdog: false,
} satisfies Omit<InstallOptions, keyof UninstallOptions>;

export function runUninstall(
  options: UninstallOptions,
  facts: MachineFacts,
  write: (text: string) => void,
): void {
  const installed = existsSync(options.configDir)
    ? readdirSync(options.configDir)
        .filter((f) => f.endsWith('.json'))
        .map((f) => basename(f, '.json'))
    : [];
  const plan = planFor({ ...options, ...UNUSED_BY_UNINSTALL }, facts, installed);
  const problems = nameAndPathProblems(plan);
  if (problems.length > 0) refuse('uninstall', problems);
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
    .option('--unit-dir <dir>', 'where unit files go', '/etc/systemd/system');
}

/** Where the services listen: install writes them into the units; uninstall needs none. */
function addServiceOptions(command: Command): Command {
  return command
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
  addServiceOptions(
    addCommonOptions(
      program
        .command('install')
        .description('install systemd services on a Pi: gateway, Node-RED and device runtimes'),
    ),
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
    .action((options: UninstallOptions) =>
      runUninstall(options, machineFacts(), (text) => console.log(text)),
    );
}
