/** `fullstack gateway`: run the gateway on its own (systemd on a Pi), without Node-RED. */
import { type Command, InvalidArgumentError, Option } from 'commander';
import { GATEWAY_ID_PATTERN } from '../../contract/index.js';
import { startSystemdWatchdog } from '../../deploy/watchdog.js';
import { startGateway } from '../../gateway/index.js';
import { runAsTopLevel } from '../../gateway/supervisor/top.js';
import { systemClock } from '../../lib/clock.js';
import { acquireDataDirLock } from '../../lib/data-lock.js';
import { createLogger } from '../../lib/log.js';
import { PARENT_PID_ENV, stopWhenParentDies } from '../../lib/parent-watch.js';
import { dataDirOption, parseBrokerUrl, parsePort } from '../options.js';

const LOG_LEVELS = ['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent'];

interface GatewayCommandOptions {
  host: string;
  mqttPort: number;
  gatewayPort: number;
  dataDir: string;
  id?: string;
  config?: string;
  upstream?: string;
  deviceBroker?: string;
  deviceBrokerUsername?: string;
  deviceBrokerPassword?: string;
  upstreamUsername?: string;
  upstreamPassword?: string;
  logLevel: string;
}

function parseGatewayId(value: string): string {
  if (!GATEWAY_ID_PATTERN.test(value)) {
    throw new InvalidArgumentError(
      `"${value}" is not a gateway id (allowed: ${GATEWAY_ID_PATTERN.source}).`,
    );
  }
  return value;
}

/** A broker URL option, also read from `<envPrefix>_URL`. */
function brokerUrlOption(flag: string, description: string, envPrefix: string): Option {
  return new Option(`${flag} <url>`, description).argParser(parseBrokerUrl).env(`${envPrefix}_URL`);
}

/** A username or password option; the environment keeps secrets out of `ps`. */
function credentialOption(flags: string, description: string, env: string): Option {
  return new Option(flags, description).env(env);
}

export function register(program: Command): void {
  program
    .command('gateway')
    .description('run the gateway alone: device broker, presence, outbox and forwarder upstream')
    .option('--host <addr>', 'where the broker and the HTTP port listen', '127.0.0.1')
    .addOption(
      new Option('--mqtt-port <port>', 'device broker port').argParser(parsePort).default(1883),
    )
    .addOption(
      new Option('--gateway-port <port>', 'HTTP port for /health and /metrics')
        .argParser(parsePort)
        .default(1881),
    )
    .addOption(dataDirOption())
    .addOption(
      new Option('--id <id>', 'gateway id in the upstream topics (default "local")').argParser(
        parseGatewayId,
      ),
    )
    .option('--config <file>', 'gateway settings file (JSON; see docs/gateway.md)')
    .addOption(
      brokerUrlOption(
        '--device-broker',
        'devices connect to this broker (Mosquitto) instead of the embedded one',
        'FULLSTACK_DEVICE_BROKER',
      ),
    )
    .addOption(
      credentialOption(
        '--device-broker-username <name>',
        "the gateway's username there",
        'FULLSTACK_DEVICE_BROKER_USERNAME',
      ),
    )
    .addOption(
      credentialOption(
        '--device-broker-password <secret>',
        "the gateway's password there",
        'FULLSTACK_DEVICE_BROKER_PASSWORD',
      ),
    )
    .addOption(
      brokerUrlOption(
        '--upstream',
        'backend broker (default: the embedded broker itself)',
        'FULLSTACK_UPSTREAM',
      ),
    )
    .addOption(
      credentialOption(
        '--upstream-username <name>',
        'username on the backend broker',
        'FULLSTACK_UPSTREAM_USERNAME',
      ),
    )
    .addOption(
      credentialOption(
        '--upstream-password <secret>',
        'password on the backend broker',
        'FULLSTACK_UPSTREAM_PASSWORD',
      ),
    )
    .addOption(
      new Option('--log-level <level>', 'log level (JSON logs on stdout)')
        .choices(LOG_LEVELS)
        .default('info'),
    )
    .addHelpText(
      'after',
      '\nPrints one line "Gateway ready <mqtt url> <http url>" when it listens. Stops cleanly on\n' +
        'SIGINT or SIGTERM; exits 1 if its supervision tree gives up (for systemd to restart it).\n' +
        'Settings come from --config, then FULLSTACK_GATEWAY_* environment variables.',
    )
    .action(async (options: GatewayCommandOptions) => {
      // One gateway per data dir (lib/data-lock.ts); a DataDirInUseError names the holder.
      acquireDataDirLock(options.dataDir, 'gateway');
      const logger = createLogger({ name: 'gateway', level: options.logLevel });
      const gateway = await startGateway({
        host: options.host,
        mqttPort: options.mqttPort,
        httpPort: options.gatewayPort,
        dataDir: options.dataDir,
        gatewayId: options.id,
        logger,
        configFile: options.config,
        env: process.env,
        deviceBroker: options.deviceBroker
          ? {
              url: options.deviceBroker,
              username: options.deviceBrokerUsername,
              password: options.deviceBrokerPassword,
            }
          : undefined,
        upstream: options.upstream
          ? {
              url: options.upstream,
              username: options.upstreamUsername,
              password: options.upstreamPassword,
            }
          : undefined,
      });
      runAsTopLevel(gateway, { logger });
      // Under `fullstack up` (or any parent that sets it): stop cleanly if the parent is gone.
      if (process.env[PARENT_PID_ENV]) stopWhenParentDies();
      console.log(`Gateway ready ${gateway.mqttUrl} ${gateway.httpUrl}`);
      // Under systemd with WatchdogSec (`fullstack install`): READY=1, then a ping while the
      // event loop turns; a no-op elsewhere (deploy/watchdog.ts).
      startSystemdWatchdog({ env: process.env, clock: systemClock, healthy: () => true });
    });
}
