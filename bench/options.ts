/** `npm run bench -- [options]`: the benchmark's arguments, with the quick and full defaults. */
import { Command, CommanderError, InvalidArgumentError, Option } from 'commander';
import { parseIntInRange } from '../cli/options.js';
import { repoPath } from '../lib/paths.js';

export interface BenchOptions {
  quick: boolean;
  devices: number;
  workers: number;
  /** QoS 1 publishes each device keeps unacknowledged in the throughput run. */
  window: number;
  durationMs: number;
  /** The fixed offered rate for the latency run, messages per second. */
  rate: number;
  rateDurationMs: number;
  idleDevices: number;
  /** Run bench/firmware-budget.ts (the Espruino bundle sizes and variables). */
  firmware: boolean;
  /** Longest wait, after a load, for the backend to receive what was acknowledged. */
  drainTimeoutMs: number;
  /** Run the gateway under --cpu-prof and print its hot spots. */
  profile: boolean;
  /** Where to keep the raw .cpuprofile files (Chrome DevTools, speedscope); implies profile. */
  profileDir: string | undefined;
  /** Node.js options for the gateway process, from --node-flag (none by default). */
  nodeFlags: string[];
  /** Gateway settings for this run (FULLSTACK_GATEWAY_* variables), from --set. */
  gatewayEnv: Record<string, string>;
  /** Where the figures are written; undefined: not written. */
  docs: string | undefined;
  /** The exact command line, for the record in the docs. */
  commandLine: string;
}

const QUICK = { duration: 5, rateDuration: 4, idle: 1000, drain: 15 };
const FULL = { duration: 30, rateDuration: 20, idle: 10_000, drain: 120 };

/** `--set outbox.synchronous=NORMAL` → FULLSTACK_GATEWAY_OUTBOX_SYNCHRONOUS=NORMAL (checked by the gateway). */
function collectSetting(value: string, previous: Record<string, string>): Record<string, string> {
  const match = /^([a-zA-Z]+)\.([a-zA-Z]+)=(.+)$/.exec(value);
  if (!match) {
    throw new InvalidArgumentError(
      `"${value}" is not of the form section.field=value (e.g. forwarder.window=32).`,
    );
  }
  const [, section, field, setting] = match as unknown as [string, string, string, string];
  const name = `FULLSTACK_GATEWAY_${section.toUpperCase()}_${field.toUpperCase()}`;
  return { ...previous, [name]: setting };
}

export function parseBenchOptions(argv: string[]): BenchOptions {
  const program = new Command('npm run bench --')
    .description(
      'Simulated devices publish QoS 1 telemetry through the gateway to a backend subscriber, then through a plain broker; prints throughput, latency, loss, duplicates, memory and CPU, and writes docs/benchmarks.md.',
    )
    .option(
      '--quick',
      `a short run (under 60 s): ${QUICK.duration} s load, ${QUICK.idle} idle devices`,
    )
    .addOption(
      new Option('--devices <n>', 'simulated devices publishing')
        .argParser(parseIntInRange(1, 20_000))
        .default(1000),
    )
    .addOption(
      new Option('--workers <n>', 'worker threads running the devices')
        .argParser(parseIntInRange(1, 16))
        .default(2),
    )
    .addOption(
      new Option('--window <n>', 'unacknowledged publishes per device in the throughput run')
        .argParser(parseIntInRange(1, 1000))
        .default(4),
    )
    .addOption(
      new Option(
        '--duration <s>',
        `seconds of throughput load (default ${FULL.duration}, quick ${QUICK.duration})`,
      ).argParser(parseIntInRange(1, 3600)),
    )
    .addOption(
      new Option('--rate <n>', 'offered messages per second in the latency run')
        .argParser(parseIntInRange(1, 1_000_000))
        .default(10_000),
    )
    .addOption(
      new Option(
        '--rate-duration <s>',
        `seconds of the latency run (default ${FULL.rateDuration}, quick ${QUICK.rateDuration})`,
      ).argParser(parseIntInRange(1, 3600)),
    )
    .addOption(
      new Option(
        '--idle-devices <n>',
        `idle devices for memory per device (default ${FULL.idle}, quick ${QUICK.idle}; 0 skips)`,
      ).argParser(parseIntInRange(0, 15_000)),
    )
    .option('--profile', 'run the gateway under node --cpu-prof and print its hot spots')
    .option(
      '--profile-dir <dir>',
      'keep the raw .cpuprofile files there (for Chrome DevTools or speedscope); implies --profile',
    )
    .option(
      '--no-firmware',
      'skip the firmware budget (bench/firmware-budget.ts; --quick skips it)',
    )
    .addOption(
      new Option(
        '--set <section.field=value>',
        'a gateway setting for this run, e.g. forwarder.window=32 (repeatable; see gateway/config.ts)',
      )
        .argParser(collectSetting)
        .default({}, 'none'),
    )
    .addOption(
      new Option(
        '--node-flag <flag>',
        'a Node.js option for the gateway process, e.g. --node-flag=--max-semi-space-size=32 (repeatable; shown in the report)',
      )
        .argParser((value: string, previous: string[]) => [...previous, value])
        .default([], 'none'),
    )
    .option('--docs <file>', 'where to write the figures', repoPath('docs', 'benchmarks.md'))
    .option('--no-docs', 'do not write the figures to a file')
    .exitOverride()
    .configureOutput({ writeErr: (s) => process.stderr.write(s) });
  try {
    program.parse(argv, { from: 'user' });
  } catch (error) {
    if (error instanceof CommanderError) {
      // --help and bad arguments: commander has printed what to say.
      process.exit(error.exitCode);
    }
    throw error;
  }
  const o = program.opts<{
    quick?: boolean;
    devices: number;
    workers: number;
    window: number;
    duration?: number;
    rate: number;
    rateDuration?: number;
    idleDevices?: number;
    profile?: boolean;
    profileDir?: string;
    firmware: boolean;
    set: Record<string, string>;
    nodeFlag: string[];
    docs: string | false;
  }>();
  const preset = o.quick ? QUICK : FULL;
  return {
    quick: o.quick === true,
    devices: o.devices,
    workers: o.workers,
    window: o.window,
    durationMs: (o.duration ?? preset.duration) * 1000,
    rate: o.rate,
    rateDurationMs: (o.rateDuration ?? preset.rateDuration) * 1000,
    idleDevices: o.idleDevices ?? preset.idle,
    drainTimeoutMs: preset.drain * 1000,
    profile: o.profile === true || o.profileDir !== undefined,
    profileDir: o.profileDir,
    // The firmware budget takes 15 to 35 s here: --quick, bound to 60 s, leaves it out.
    firmware: o.firmware && o.quick !== true,
    gatewayEnv: o.set,
    nodeFlags: o.nodeFlag,
    docs: o.docs === false ? undefined : o.docs,
    commandLine: ['npm run bench', ...(argv.length > 0 ? ['--', ...argv] : [])].join(' '),
  };
}
