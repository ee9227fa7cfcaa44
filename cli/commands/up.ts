/** `fullstack up`: the gateway with its broker, Node-RED and simulated devices, supervised. */
import { type Command, Option } from 'commander';
import { dataDirOption, parseIntInRange, parsePort } from '../options.js';
import { DEFAULT_DEVICES, DEFAULT_PORTS, MAX_DEVICES, type UpOptions } from '../up/options.js';

export function register(program: Command): void {
  program
    .command('up')
    .description(
      'start the gateway (with its MQTT broker), Node-RED with the dashboard, and simulated devices',
    )
    .addOption(
      new Option('--mqtt-port <port>', 'MQTT broker port')
        .argParser(parsePort)
        .default(DEFAULT_PORTS.mqttPort),
    )
    .addOption(
      new Option('--ui-port <port>', 'Node-RED editor and dashboard port')
        .argParser(parsePort)
        .default(DEFAULT_PORTS.uiPort),
    )
    .addOption(
      new Option('--gateway-port <port>', 'gateway HTTP port (/health, /metrics)')
        .argParser(parsePort)
        .default(DEFAULT_PORTS.gatewayPort),
    )
    .addOption(dataDirOption())
    .option(
      '--host <addr>',
      'address to listen on (beyond 127.0.0.1 needs credentials)',
      '127.0.0.1',
    )
    .addOption(
      new Option('--devices <n>', `simulated devices (0 for none, at most ${MAX_DEVICES})`)
        .argParser(parseIntInRange(0, MAX_DEVICES))
        .default(DEFAULT_DEVICES),
    )
    .addHelpText(
      'after',
      '\nA default port that is taken is replaced by a free one (and said so); an explicit port\nthat is taken is an error. Stop with Ctrl-C (SIGINT) or SIGTERM.',
    )
    .action(async (_opts: unknown, command: Command) => {
      const opts = command.opts<Omit<UpOptions, 'explicit'>>();
      const explicit = (name: string) => command.getOptionValueSource(name) === 'cli';
      // Loaded on use: the gateway, Node-RED launcher and broker are not needed by other commands.
      const { runUp } = await import('../up/run.js');
      const exitCode = await runUp({
        ...opts,
        explicit: {
          mqttPort: explicit('mqttPort'),
          uiPort: explicit('uiPort'),
          gatewayPort: explicit('gatewayPort'),
        },
      });
      process.exitCode = exitCode;
    });
}
