/**
 * Where the bytes to flash come from: a bundle file already built (`fullstack build <config>
 * --target espruino --out FILE`), or a device config built now by the firmware's Espruino
 * target (firmware/espruino/build.ts, owned by the firmware runtime).
 */
import { readFile } from 'node:fs/promises';
import { basename } from 'node:path';
import type { BoardProfile } from '../../hardware/config/index.js';
import { boardPhrase } from './board-words.js';
import { FlashError } from './errors.js';
import { bundleCrc } from './uploader.js';

export interface EspruinoBundle {
  code: string;
  filename: string;
  /** Firmware version the bundle reports in its birth; recorded on the board and read back. */
  fw: string;
}

export async function bundleFromFile(path: string, fw?: string): Promise<EspruinoBundle> {
  let code: string;
  try {
    code = await readFile(path, 'utf8');
  } catch (error) {
    throw new Error(`--bundle ${path}: cannot read it (${(error as Error).message})`);
  }
  const crc = bundleCrc(Buffer.from(code, 'utf8')).toString(16).padStart(8, '0');
  return { code, filename: basename(path), fw: fw ?? `${basename(path)}@${crc}` };
}

/** Only Espruino boards take a bundle: say what to do with the others, in the user's terms. */
export function refuseNonEspruino(path: string, id: string, board: BoardProfile): void {
  if (board.target === 'espruino') return;
  const runs = `${id} runs on ${boardPhrase(board)} (${board.target}): it is not flashed with a bundle.`;
  if (board.target === 'node-raspi') {
    throw new FlashError(
      'not-espruino-config',
      runs,
      `It runs on the Pi itself: \`sudo fullstack install --device ${path}\` (or \`fullstack device run ${path}\` to try it).`,
    );
  }
  const firmata = ['uno', 'nano', 'mega'].includes(board.id)
    ? `Write StandardFirmata to it with \`fullstack flash --board ${board.id} --port P\`${board.id === 'nano' ? ' (`--board nano-old` for the old bootloader)' : ''}`
    : 'Write StandardFirmata to it from the Arduino IDE (File > Examples > Firmata > StandardFirmata)';
  throw new FlashError(
    'not-espruino-config',
    runs,
    `${firmata}; then the gateway, or \`fullstack device run ${path}\`, drives it with this config.`,
  );
}

/**
 * Builds a device config with the firmware's Espruino target (firmware/espruino/build.ts),
 * loaded lazily so that `fullstack flash --bundle` and `--board` do not load esbuild.
 */
export async function bundleFromConfig(
  configPath: string,
  options: { broker?: string; otaTrialMs?: number },
): Promise<EspruinoBundle & { warnings: string[] }> {
  const [{ loadDeviceConfig }, { buildEspruinoBundle }, { getBoard }] = await Promise.all([
    import('../../hardware/config/index.js'),
    import('../espruino/build.js'),
    import('../../hardware/boards/index.js'),
  ]);
  const config = loadDeviceConfig(configPath);
  refuseNonEspruino(configPath, config.id, getBoard(config.board));
  const built = await buildEspruinoBundle({
    config,
    brokerUrl: options.broker,
    // With OTA the board can take `fullstack ota` updates later (about 3.8 KB more).
    ota: options.otaTrialMs === undefined ? undefined : { trialMs: options.otaTrialMs },
  });
  return {
    code: built.code,
    filename: `${config.id}.bundle.js`,
    fw: built.plan.fw,
    warnings: built.warnings,
  };
}

/**
 * The firmware `fullstack ota` sends for a device config: for an Espruino board the Espruino
 * bundle built with OTA (so it can take the next update too); for a Node board (a Pi, a
 * Firmata board driven from Node) the Node firmware that `fullstack device host` runs
 * (firmware/node/node-bundle.ts). Loaded lazily, like bundleFromConfig.
 */
export async function otaBundleFromConfig(
  configPath: string,
  options: { trialMs: number },
): Promise<EspruinoBundle> {
  const [{ loadDeviceConfig }, { getBoard }] = await Promise.all([
    import('../../hardware/config/index.js'),
    import('../../hardware/boards/index.js'),
  ]);
  const config = loadDeviceConfig(configPath);
  if (getBoard(config.board).target === 'espruino') {
    const { buildEspruinoBundle } = await import('../espruino/build.js');
    const built = await buildEspruinoBundle({ config, ota: { trialMs: options.trialMs } });
    return { code: built.code, filename: `${config.id}.bundle.js`, fw: built.plan.fw };
  }
  const { buildNodeBundle } = await import('../node/node-bundle.js');
  const built = buildNodeBundle(config);
  return { code: built.code, filename: `${config.id}.firmware.cjs`, fw: built.fw };
}
