/**
 * `fullstack ota <device> <config>`: update a device's firmware over the air, through the
 * gateway. The bundle goes in hashed chunks on the gateway's upstream command topic; progress
 * shows here and on the upstream `events` topic (the dashboard); the result is the firmware the
 * device runs afterwards: the new one, or the previous one after a rollback.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { SingleBar } from 'cli-progress';
import { type Command, Option } from 'commander';
import { GATEWAY_ID_PATTERN } from '../../contract/topics.js';
import { bundleFromFile, otaBundleFromConfig } from '../../firmware/flash/bundle-source.js';
import { DEFAULT_TRIAL_MS } from '../../firmware/ota/node-device.js';
import { checkOtaConfig, checkOtaTarget } from '../../firmware/ota/preflight.js';
import type { OtaEvent } from '../../firmware/ota/protocol.js';
import { OtaError, type OtaResult, sendOta } from '../../firmware/ota/sender.js';
import { UpstreamOtaLink } from '../../firmware/ota/upstream-link.js';
import {
  type BoardProfile,
  ConfigError,
  type DeviceConfig,
  loadDeviceConfig,
} from '../../hardware/config/index.js';
import {
  dataDirOption,
  parseBrokerUrl,
  parseDeviceId,
  parseIdMatching,
  parseIntInRange,
} from '../options.js';

export interface OtaCommandOptions {
  bundle?: string;
  fw?: string;
  broker: string;
  gateway: string;
  username?: string;
  password?: string;
  dataDir: string;
  trialMs: number;
  chunkBytes: number;
}

/** The gateway's backend credential, which the gateway writes into its data dir. */
export function backendCredential(
  dataDir: string,
): { username: string; password: string } | undefined {
  const path = join(dataDir, 'backend-credential.json');
  if (!existsSync(path)) return undefined;
  const saved = JSON.parse(readFileSync(path, 'utf8')) as {
    username?: unknown;
    password?: unknown;
  };
  if (typeof saved.username !== 'string' || typeof saved.password !== 'string') {
    throw new Error(`${path}: expected {"username","password"} strings`);
  }
  return { username: saved.username, password: saved.password };
}

/** One line per phase change, and a bar (on a terminal) or a line per tenth while sending. */
export function otaPrinter(stream: NodeJS.WriteStream): (event: OtaEvent) => void {
  let bar: SingleBar | undefined;
  let lastPhase = '';
  let lastTenth = -1;
  return (event) => {
    if (event.phase === 'sending' && !event.detail) {
      if (stream.isTTY) {
        bar ??= new SingleBar({
          stream,
          format: 'ota [{bar}] {percentage}% | {value}/{total} bytes',
        });
        if (!bar.isActive) bar.start(event.total, 0);
        bar.update(event.sent);
      } else {
        const tenth = Math.floor((event.sent / event.total) * 10);
        if (tenth !== lastTenth)
          stream.write(
            `ota ${Math.floor((event.sent / event.total) * 100)}% (${event.sent}/${event.total} bytes)\n`,
          );
        lastTenth = tenth;
      }
      return;
    }
    bar?.stop();
    bar = undefined;
    if (event.phase !== lastPhase || event.detail)
      stream.write(`${event.phase}${event.detail ? `: ${event.detail}` : ''}\n`);
    lastPhase = event.phase;
  };
}

/** The config, loaded and checked against the device (every config problem in one error). */
function readConfig(device: string, path: string): BoardProfile {
  let config: DeviceConfig;
  try {
    config = loadDeviceConfig(path);
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    throw new OtaError(error.message, `\`fullstack check ${path}\` shows the same problems.`);
  }
  return checkOtaConfig(device, path, config);
}

export async function runOta(
  device: string,
  config: string | undefined,
  options: OtaCommandOptions,
): Promise<OtaResult> {
  if (!config && !options.bundle) {
    throw new OtaError(
      'nothing to send: give a device config or --bundle FILE',
      'Example: `fullstack ota esp8266-porch hardware/devices/esp8266-porch.json`.',
    );
  }
  // Everything that can be said without the gateway, then without building, is said first.
  const configBoard = config ? readConfig(device, config) : undefined;
  const credential =
    options.username !== undefined
      ? { username: options.username, password: options.password ?? '' }
      : backendCredential(options.dataDir);
  const link = await UpstreamOtaLink.connect({
    url: options.broker,
    gatewayId: options.gateway,
    ...credential,
  });
  try {
    checkOtaTarget({
      device,
      gatewayId: options.gateway,
      broker: options.broker,
      known: await link.knownDevices(device),
      configBoard,
    });
    const bundle = options.bundle
      ? await bundleFromFile(options.bundle, options.fw)
      : await otaBundleFromConfig(config!, { trialMs: DEFAULT_TRIAL_MS });
    return await sendOta(link, {
      device,
      bundle: Buffer.from(bundle.code, 'utf8'),
      fw: options.fw ?? bundle.fw,
      chunkBytes: options.chunkBytes,
      trialMs: options.trialMs,
      now: () => Date.now(),
      onEvent: otaPrinter(process.stderr),
    });
  } finally {
    await link.close();
  }
}

export function register(program: Command): void {
  program
    .command('ota')
    .description(
      'update a device over the air through the gateway (A/B: rolls back without a birth)',
    )
    .argument('<device>', 'device id', parseDeviceId)
    .argument(
      '[config]',
      "the device's config, to build its new firmware from (an Espruino board or a Pi)",
    )
    .option('--bundle <file>', 'send an already built bundle')
    .option('--fw <version>', 'firmware version the new bundle reports in its birth')
    .addOption(
      new Option('--broker <url>', "the gateway's MQTT broker")
        .default('mqtt://127.0.0.1:1883')
        .argParser(parseBrokerUrl),
    )
    .addOption(
      new Option('--gateway <id>', 'gateway id')
        .default('local')
        .argParser(parseIdMatching(GATEWAY_ID_PATTERN, 'gateway')),
    )
    .option(
      '--username <name>',
      "broker user (default: the gateway's backend credential in --data-dir)",
    )
    .option('--password <secret>', 'broker password')
    .addOption(dataDirOption())
    .addOption(
      new Option(
        '--trial-ms <ms>',
        "how long to wait for the new firmware's birth (the device's own trial decides the rollback)",
      )
        .default(30_000)
        .argParser(parseIntInRange(1000, 600_000)),
    )
    .addOption(
      new Option('--chunk-bytes <n>', 'bytes per chunk')
        .default(4096)
        .argParser(parseIntInRange(64, 8192)),
    )
    .addHelpText(
      'after',
      '\nExamples:\n' +
        '  fullstack ota esp8266-porch hardware/devices/esp8266-porch.json\n' +
        '  fullstack ota esp32-garden hardware/devices/esp32-garden.json --trial-ms 60000\n' +
        '  fullstack ota pi-lab hardware/devices/pi-lab.json\n' +
        '  fullstack ota pi-lab --bundle pi-lab-2.cjs --fw pi-lab-2.0.0\n' +
        '\nBefore building anything it checks that the gateway knows the device, online, and that\n' +
        "the config is the device's own and for the board its birth reports.",
    )
    .action(async (device: string, config: string | undefined, options: OtaCommandOptions) => {
      try {
        const result = await runOta(device, config, options);
        console.log(
          result.outcome === 'updated'
            ? `${device} runs ${result.runningFw} (${result.bytes} bytes in ${result.chunks} chunks).`
            : `${device} rolled back to ${result.runningFw}: the new firmware sent no birth in time.`,
        );
        if (result.outcome === 'rolled-back') process.exitCode = 2;
      } catch (error) {
        if (!(error instanceof OtaError)) throw error;
        console.error(`fullstack ota: ${error.message}\n${error.hint}`);
        process.exitCode = 1;
      }
    });
}
