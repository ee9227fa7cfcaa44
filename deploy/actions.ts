/**
 * `fullstack install` and `uninstall` as a list of steps, computed first and then either
 * printed (`--dry-run`) or carried out. Steps are idempotent: installing twice, or removing
 * what is not there, is not an error.
 */
import { deviceUnit, enabledUnits, type InstallPlan, renderUnits } from './systemd.js';

export type Action =
  | { kind: 'run'; argv: string[]; why: string; okIfFails?: boolean }
  | { kind: 'mkdir'; path: string; owner?: string; mode: number }
  | { kind: 'write'; path: string; content: string; mode: number }
  | { kind: 'copy'; from: string; to: string; owner?: string }
  | { kind: 'remove'; path: string; recursive?: boolean };

export interface DeviceSource {
  id: string;
  /** The config file to copy to the config dir. */
  path: string;
}

export interface InstallFacts {
  /** Whether the user exists already. */
  userExists: boolean;
}

export function installActions(
  plan: InstallPlan,
  devices: DeviceSource[],
  facts: InstallFacts,
): Action[] {
  const actions: Action[] = [];
  if (!facts.userExists) {
    actions.push({
      kind: 'run',
      argv: [
        'useradd',
        '--system',
        '--user-group',
        '--home-dir',
        plan.dataDir,
        '--shell',
        '/usr/sbin/nologin',
        plan.user,
      ],
      why: `a dedicated system user "${plan.user}" that cannot log in`,
    });
  }
  actions.push({ kind: 'mkdir', path: plan.dataDir, owner: plan.user, mode: 0o750 });
  actions.push({ kind: 'mkdir', path: plan.configDir, mode: 0o755 });
  for (const device of devices) {
    actions.push({ kind: 'copy', from: device.path, to: `${plan.configDir}/${device.id}.json` });
  }
  for (const unit of renderUnits(plan)) {
    actions.push({
      kind: 'write',
      path: `${plan.unitDir}/${unit.name}`,
      content: unit.content,
      mode: 0o644,
    });
  }
  actions.push({ kind: 'run', argv: ['systemctl', 'daemon-reload'], why: 'load the new units' });
  actions.push({
    kind: 'run',
    argv: ['systemctl', 'enable', '--now', ...enabledUnits(plan)],
    why: 'start them now and at every boot',
  });
  return actions;
}

export interface UninstallOptions {
  /** Also delete the data directory, the configs and the user. */
  purge: boolean;
  /** Device units to stop (found installed). */
  devices: string[];
}

export function uninstallActions(plan: InstallPlan, options: UninstallOptions): Action[] {
  const units = [
    'fullstack-gateway.service',
    'fullstack-nodered.service',
    ...options.devices.map(deviceUnit),
  ];
  const actions: Action[] = [
    {
      kind: 'run',
      argv: ['systemctl', 'disable', '--now', ...units],
      why: 'stop the services and keep them from starting at boot',
      okIfFails: true,
    },
    ...renderUnits(plan).map(
      (unit): Action => ({ kind: 'remove', path: `${plan.unitDir}/${unit.name}` }),
    ),
    { kind: 'run', argv: ['systemctl', 'daemon-reload'], why: 'forget the removed units' },
    {
      kind: 'run',
      argv: ['systemctl', 'reset-failed'],
      why: 'clear their failure records',
      okIfFails: true,
    },
  ];
  if (options.purge) {
    actions.push({ kind: 'remove', path: plan.configDir, recursive: true });
    actions.push({ kind: 'remove', path: plan.dataDir, recursive: true });
    actions.push({
      kind: 'run',
      argv: ['userdel', plan.user],
      why: `remove the user "${plan.user}"`,
      okIfFails: true,
    });
  }
  return actions;
}

/** What `--dry-run` prints for one step: shell commands, and unit files in full. */
export function describeAction(action: Action): string {
  switch (action.kind) {
    case 'run':
      return `# ${action.why}\n${action.argv.join(' ')}`;
    case 'mkdir':
      return `install -d -m ${action.mode.toString(8)}${action.owner ? ` -o ${action.owner} -g ${action.owner}` : ''} ${action.path}`;
    case 'copy':
      return `install -m 644 ${action.from} ${action.to}`;
    case 'write':
      return `# ${action.path} (mode ${action.mode.toString(8)})\ncat > ${action.path} <<'EOF'\n${action.content}EOF`;
    case 'remove':
      return `rm -f${action.recursive ? 'r' : ''} ${action.path}`;
  }
}
