/**
 * `fullstack flash <config> [--port P] [--broker URL]`: build a device config for Espruino and
 * upload it; `fullstack flash --bundle FILE` uploads a built bundle; `fullstack flash --board
 * uno --port P` writes StandardFirmata to an Arduino.
 */
import { type Command, Option } from 'commander';
import { SerialPort } from 'serialport';
import { flashFirmata } from '../../firmware/flash/arduino.js';
import {
  bundleFromConfig,
  bundleFromFile,
  type EspruinoBundle,
} from '../../firmware/flash/bundle-source.js';
import { FlashError } from '../../firmware/flash/errors.js';
import { espruinoCandidates, listSerialPorts } from '../../firmware/flash/port-list.js';
import { type FlashProgress, progressFor } from '../../firmware/flash/progress.js';
import {
  DEFAULT_UPLOAD_CHUNK_BYTES,
  flashEspruino,
  type SerialBinding,
} from '../../firmware/flash/uploader.js';
import { DEFAULT_TRIAL_MS } from '../../firmware/ota/node-device.js';
import { type Clock, systemClock } from '../../lib/clock.js';
import { parseBrokerUrl, parseIntInRange } from '../options.js';

export interface FlashCommandContext {
  binding: SerialBinding;
  clock: Clock;
  progress: FlashProgress;
  byIdDir?: string;
  buildConfig: (
    config: string,
    options: { broker?: string; otaTrialMs?: number },
  ) => Promise<EspruinoBundle & { warnings?: string[] }>;
  write: (line: string) => void;
}

export interface FlashArgs {
  config?: string;
  port?: string;
  broker?: string;
  board?: string;
  bundle?: string;
  fw?: string;
  chunkBytes?: number;
  /** Build with over-the-air updates (A/B with rollback), so `fullstack ota` can update it. */
  ota?: boolean;
}

/** The port to use: the one given, or the only Espruino-like port present. */
export async function choosePort(ctx: FlashCommandContext, given?: string): Promise<string> {
  if (given) return given;
  const ports = await listSerialPorts({ binding: ctx.binding, byIdDir: ctx.byIdDir });
  const candidates = espruinoCandidates(ports);
  if (candidates.length === 1) return candidates[0]!.path;
  const present = ports.map((p) => `  ${p.path} (${p.guess.label})`).join('\n') || '  (none)';
  if (candidates.length === 0) {
    throw new FlashError(
      'no-port',
      `No Espruino or ESP board found among the serial ports:\n${present}`,
      'Plug the board in with a data (not charge-only) USB cable, or give the port with --port (see `fullstack ports`).',
    );
  }
  throw new FlashError(
    'several-ports',
    `${candidates.length} boards could be the one to flash:\n${candidates.map((c) => `  ${c.path} (${c.guess.label})`).join('\n')}`,
    'Choose one with --port (the /dev/serial/by-id name survives replugging).',
  );
}

export async function runFlash(ctx: FlashCommandContext, args: FlashArgs): Promise<void> {
  if (args.board) {
    if (args.config || args.bundle) {
      throw new FlashError(
        'board-error',
        '--board writes StandardFirmata and takes no config or --bundle.',
        'Use `fullstack flash --board uno --port P` for an Arduino, or `fullstack flash <config>` for an Espruino.',
      );
    }
    if (!args.port) {
      throw new FlashError(
        'no-port',
        '--board needs --port: an Arduino is not detected automatically (its USB chip is shared with other boards).',
        'Find it with `fullstack ports` and pass --port /dev/ttyACM0 (or its by-id name).',
      );
    }
    const result = await flashFirmata(ctx, { path: args.port, board: args.board });
    ctx.write(
      `Flashed StandardFirmata to ${result.board} on ${args.port}: the gateway can drive it now.`,
    );
    return;
  }
  if (!args.config && !args.bundle) {
    throw new FlashError(
      'board-error',
      'Nothing to flash: give a device config, --bundle FILE, or --board uno|nano|nano-old|mega.',
      'Examples: `fullstack flash hardware/devices/esp8266-porch.json`, `fullstack flash --board uno --port /dev/ttyACM0`.',
    );
  }
  const bundle: EspruinoBundle & { warnings?: string[] } = args.bundle
    ? await bundleFromFile(args.bundle, args.fw)
    : await ctx.buildConfig(args.config!, {
        broker: args.broker,
        otaTrialMs: args.ota ? DEFAULT_TRIAL_MS : undefined,
      });
  for (const warning of bundle.warnings ?? []) ctx.write(`warning: ${warning}`);
  const path = await choosePort(ctx, args.port);
  const result = await flashEspruino(ctx, {
    path,
    bundle: bundle.code,
    filename: bundle.filename,
    fw: args.fw ?? bundle.fw,
    chunkBytes: args.chunkBytes,
  });
  ctx.write(
    `Flashed ${result.fw} to ${result.board} (Espruino ${result.interpreter}) on ${path}: ${result.size} bytes, CRC ${result.crc}, slot ${result.slot}, verified.`,
  );
}

export function register(program: Command): void {
  program
    .command('flash')
    .description(
      'flash a board: an Espruino with a device bundle, or an Arduino with StandardFirmata',
    )
    .argument('[config]', 'device config to build for Espruino (hardware/devices/<id>.json)')
    .option('--port <path>', 'serial port (default: the only Espruino/ESP port present)')
    .addOption(
      new Option(
        '--broker <url>',
        "MQTT broker baked into the bundle, overriding the config's",
      ).argParser(parseBrokerUrl),
    )
    .option(
      '--ota',
      'build with over-the-air updates, so `fullstack ota` can update the board later (A/B, rollback)',
      false,
    )
    .option('--bundle <file>', 'flash an already built bundle instead of building a config')
    .option(
      '--fw <version>',
      'firmware version to record with a --bundle (default: file name and CRC)',
    )
    .addOption(
      new Option('--board <name>', 'write StandardFirmata to an Arduino').choices([
        'uno',
        'nano',
        'nano-old',
        'mega',
      ]),
    )
    .addOption(
      new Option('--chunk-bytes <n>', 'bytes per upload chunk (16 to 4096)')
        .default(DEFAULT_UPLOAD_CHUNK_BYTES)
        .argParser(parseIntInRange(16, 4096)),
    )
    .addHelpText(
      'after',
      '\nExamples:\n' +
        '  fullstack flash hardware/devices/esp8266-porch.json --port /dev/ttyUSB0\n' +
        '  fullstack flash hardware/devices/pico-desk.json --ota   (OTA-ready)\n' +
        '  fullstack flash --board uno --port /dev/ttyACM0   (StandardFirmata, for uno-bench.json)\n' +
        '\nThe Espruino upload goes to a spare Storage slot and is switched to only after its CRC is\n' +
        'checked: interrupting it (Ctrl-C, unplugging) leaves the previous firmware booting.',
    )
    .action(async (config: string | undefined, options: Omit<FlashArgs, 'config'>) => {
      const ctx: FlashCommandContext = {
        binding: SerialPort.binding,
        clock: systemClock,
        progress: progressFor(process.stderr),
        buildConfig: bundleFromConfig,
        write: (line) => console.log(line),
      };
      try {
        await runFlash(ctx, { ...options, config });
      } catch (error) {
        if (!(error instanceof FlashError)) throw error;
        console.error(`fullstack flash: ${error.describe()}`);
        process.exitCode = 1;
      }
    });
}
