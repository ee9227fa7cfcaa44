/**
 * systemd units for a FullStack installation on a Raspberry Pi: the gateway, Node-RED, and one
 * device runtime per device config (a template unit, `fullstack-device@<id>`, run by the
 * firmware host for over-the-air updates). Each runs as a
 * dedicated system user, restarts on failure, logs to journald, and may write only its data
 * directory. Pure functions of an InstallPlan, so `--dry-run` and the tests see exactly what
 * would be written.
 */
import { GATEWAY_NODE_FLAGS } from '../gateway/node-flags.js';

export interface InstallPlan {
  /** Dedicated system user (and group) the services run as. */
  user: string;
  /** Where FullStack is installed (the repository or package root). */
  root: string;
  /** The Node.js binary. */
  node: string;
  dataDir: string;
  /** Device configs live here as <id>.json. */
  configDir: string;
  unitDir: string;
  host: string;
  mqttPort: number;
  uiPort: number;
  gatewayPort: number;
  /** Device ids to run on this Pi (their configs copied to configDir). */
  devices: string[];
  /** Units whose process pings the systemd watchdog (deploy/watchdog.ts). */
  watchdog: ReadonlyArray<'gateway'>;
  /** Supplementary groups that exist on this machine (serial, GPIO, I2C, SPI access). */
  hardwareGroups: string[];
}

export interface UnitFile {
  name: string;
  content: string;
}

export const GATEWAY_UNIT = 'fullstack-gateway.service';
export const NODERED_UNIT = 'fullstack-nodered.service';
export const DEVICE_TEMPLATE_UNIT = 'fullstack-device@.service';
export const deviceUnit = (id: string): string => `fullstack-device@${id}.service`;

/** How long systemd waits between the watchdog pings it expects (the process pings at half). */
export const WATCHDOG_SEC = 30;

function section(name: string, lines: Array<string | false>): string {
  return [`[${name}]`, ...lines.filter((l): l is string => l !== false)].join('\n');
}

/** systemd splits ExecStart on spaces; quote anything that has one. */
function quote(arg: string): string {
  return /[\s"\\]/.test(arg) ? `"${arg.replace(/(["\\])/g, '\\$1')}"` : arg;
}

function service(
  plan: InstallPlan,
  options: {
    description: string;
    after: string[];
    args: string[];
    /** Node.js options before the script (gateway/node-flags.ts). */
    nodeFlags?: readonly string[];
    identifier: string;
    watchdog: boolean;
    groups: string[];
    /** Extra [Service] lines, after the defaults. */
    extra?: string[];
  },
): string {
  const exec = [
    plan.node,
    ...(options.nodeFlags ?? []),
    `${plan.root}/bin/fullstack.js`,
    ...options.args,
  ]
    .map(quote)
    .join(' ');
  return `${[
    '# Written by `fullstack install`; `fullstack uninstall` removes it.',
    section('Unit', [
      `Description=${options.description}`,
      `After=${['network-online.target', ...options.after].join(' ')}`,
      'Wants=network-online.target',
      ...options.after.map((unit) => `Wants=${unit}`),
      // Restart=on-failure gives up after 5 failures in 60 s, like a supervisor's intensity.
      'StartLimitIntervalSec=60',
      'StartLimitBurst=5',
    ]),
    section('Service', [
      options.watchdog ? 'Type=notify' : 'Type=simple',
      // systemd-notify runs as a child of the service: it must be allowed to notify.
      options.watchdog && 'NotifyAccess=all',
      options.watchdog && `WatchdogSec=${WATCHDOG_SEC}`,
      `User=${plan.user}`,
      `Group=${plan.user}`,
      options.groups.length > 0 && `SupplementaryGroups=${options.groups.join(' ')}`,
      `WorkingDirectory=${plan.dataDir}`,
      'Environment=NODE_ENV=production',
      `Environment=FULLSTACK_DATA_DIR=${plan.dataDir}`,
      `ExecStart=${exec}`,
      'Restart=on-failure',
      'RestartSec=2',
      // SIGTERM lets each part say goodbye (device wills, clean Node-RED stop) before SIGKILL.
      'KillSignal=SIGTERM',
      'TimeoutStopSec=20',
      'StandardOutput=journal',
      'StandardError=journal',
      `SyslogIdentifier=${options.identifier}`,
      'NoNewPrivileges=yes',
      'ProtectSystem=strict',
      'ProtectHome=yes',
      'PrivateTmp=yes',
      `ReadWritePaths=${plan.dataDir}`,
      ...(options.extra ?? []),
    ]),
    section('Install', ['WantedBy=multi-user.target']),
  ].join('\n\n')}\n`;
}

export function renderUnits(plan: InstallPlan): UnitFile[] {
  const common = ['--data-dir', plan.dataDir];
  const broker = `mqtt://${plan.host === '0.0.0.0' ? '127.0.0.1' : plan.host}:${plan.mqttPort}`;
  return [
    {
      name: GATEWAY_UNIT,
      content: service(plan, {
        description: 'FullStack gateway: MQTT broker, device supervision, presence, outbox',
        after: [],
        args: [
          'gateway',
          '--host',
          plan.host,
          '--mqtt-port',
          String(plan.mqttPort),
          '--gateway-port',
          String(plan.gatewayPort),
          ...common,
        ],
        nodeFlags: GATEWAY_NODE_FLAGS,
        identifier: 'fullstack-gateway',
        watchdog: plan.watchdog.includes('gateway'),
        // USB Firmata boards are hosted by the gateway: serial access.
        groups: plan.hardwareGroups.filter((g) => g === 'dialout'),
      }),
    },
    {
      name: NODERED_UNIT,
      content: service(plan, {
        description: 'FullStack Node-RED: flows, REST API and the live dashboard',
        after: [GATEWAY_UNIT],
        args: [
          'nodered',
          'run',
          '--host',
          plan.host,
          '--ui-port',
          String(plan.uiPort),
          '--broker',
          broker,
          ...common,
        ],
        identifier: 'fullstack-nodered',
        watchdog: false,
        groups: [],
      }),
    },
    {
      name: DEVICE_TEMPLATE_UNIT,
      content: service(plan, {
        description: 'FullStack device runtime %i',
        after: [GATEWAY_UNIT],
        // `device host` runs the device's firmware from A/B slots in
        // <data>/devices/<id>/firmware, so `fullstack ota` can update it with rollback; the
        // config installs the first firmware. The boot counter is <data>/devices/<id>/boot.
        args: [
          'device',
          'host',
          `${plan.configDir}/%i.json`,
          '--broker',
          broker,
          '--state-dir',
          `${plan.dataDir}/devices`,
        ],
        identifier: 'fullstack-device-%i',
        watchdog: false,
        // Sensors on the Pi's header: GPIO, I2C, SPI; serial for UART parts.
        groups: plan.hardwareGroups,
        // SIGTERM to the host only: it stops the firmware child itself, which then says
        // goodbye once (a second SIGTERM from systemd would kill the child mid-goodbye).
        extra: ['KillMode=mixed'],
      }),
    },
  ];
}

/** The units `install` enables and starts, in order. */
export function enabledUnits(plan: InstallPlan): string[] {
  return [GATEWAY_UNIT, NODERED_UNIT, ...plan.devices.map(deviceUnit)];
}
