/**
 * Where the bytes to flash come from: a bundle file already built (`fullstack build <config>
 * --target espruino --out FILE`), or a device config built now by the firmware's Espruino
 * target (firmware/espruino/build.ts, owned by the firmware runtime).
 */
import { readFile } from 'node:fs/promises';
import { basename } from 'node:path';
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

type BuildFunction = (
  configPath: string,
  options: { broker?: string },
) => Promise<{ code?: string; bundle?: string; fw?: string; filename?: string } | string>;

/**
 * Builds a device config with the firmware's Espruino target. Loaded lazily so that `fullstack
 * flash --bundle` and `--board` work without it.
 */
export async function bundleFromConfig(
  configPath: string,
  options: { broker?: string },
): Promise<EspruinoBundle> {
  const modulePath = '../espruino/build.js';
  let build: BuildFunction | undefined;
  try {
    const mod = (await import(modulePath)) as Record<string, unknown>;
    build = (mod.buildEspruinoBundle ?? mod.buildEspruino) as BuildFunction | undefined;
  } catch (error) {
    throw new Error(
      `the Espruino build target is not available (${(error as Error).message}); build the bundle with \`fullstack build ${configPath} --target espruino --out bundle.js\` and flash it with --bundle bundle.js`,
    );
  }
  if (typeof build !== 'function') {
    throw new Error(
      'firmware/espruino/build.js exports no buildEspruinoBundle(configPath, {broker}) function; flash a built bundle with --bundle FILE',
    );
  }
  const result = await build(configPath, options);
  const code = typeof result === 'string' ? result : (result.code ?? result.bundle);
  if (typeof code !== 'string') throw new Error(`building ${configPath} produced no bundle`);
  const fw = typeof result === 'string' ? undefined : result.fw;
  const file = bundleCrc(Buffer.from(code, 'utf8')).toString(16).padStart(8, '0');
  return {
    code,
    filename: `${basename(configPath).replace(/\.json$/, '')}.espruino.js`,
    fw: fw ?? `${basename(configPath, '.json')}@${file}`,
  };
}
