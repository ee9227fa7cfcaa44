/**
 * A device on a Raspberry Pi: johnny-five with raspi-io. raspi-io is an optional dependency,
 * loaded with a dynamic import only here, so installs elsewhere (and CI) never need it:
 * on the Pi, run `npm install raspi-io@11` in the FullStack directory first.
 * 1-Wire uses the kernel's w1 driver (dtoverlay=w1-gpio): /sys/bus/w1/devices/28-*\/w1_slave.
 */
import { readdirSync, readFileSync } from 'node:fs';
import type { Firmata } from 'firmata-io';
import five from 'johnny-five';
import type { BoardProfile } from '../../hardware/config/types.js';
import { createPluginPinIO } from './plugin-pin-io.js';
import { type DeviceRuntime, type StartDeviceOptions, startDeviceRuntime } from './start.js';

export const RASPI_INSTALL_HINT = 'npm install raspi-io@11';
const W1_DEVICES = '/sys/bus/w1/devices';

async function loadRaspiIO(): Promise<new () => object> {
  // A variable specifier: TypeScript must not resolve a package that is not installed.
  const specifier: string = 'raspi-io';
  try {
    const mod = (await import(specifier)) as {
      RaspiIO?: new () => object;
      default?: { RaspiIO?: new () => object };
    };
    const RaspiIO = mod.RaspiIO ?? mod.default?.RaspiIO;
    if (!RaspiIO) throw new Error('the module has no RaspiIO export');
    return RaspiIO;
  } catch (error) {
    throw new Error(
      `board target node-raspi needs raspi-io, which is not installed (${(error as Error).message}); on the Pi run: ${RASPI_INSTALL_HINT}`,
    );
  }
}

/** The first DS18B20 (family 28) the kernel found; the w1_slave file ends in t=<milli °C>. */
function readW1Temperature(done: (celsius: number, why?: string) => void) {
  try {
    const sensor = readdirSync(W1_DEVICES).find((name) => name.startsWith('28-'));
    if (!sensor)
      return done(Number.NaN, `no DS18B20 under ${W1_DEVICES} (is dtoverlay=w1-gpio set?)`);
    const text = readFileSync(`${W1_DEVICES}/${sensor}/w1_slave`, 'utf8');
    const match = /YES[\s\S]*t=(-?\d+)/.exec(text);
    if (!match) return done(Number.NaN, `DS18B20 ${sensor}: CRC check failed`);
    done(Number(match[1]) / 1000);
  } catch (error) {
    done(Number.NaN, `1-Wire: ${(error as Error).message}`);
  }
}

export async function startRaspiDevice(
  options: Omit<StartDeviceOptions, 'io'> & { board: BoardProfile },
): Promise<DeviceRuntime> {
  const RaspiIO = await loadRaspiIO();
  const plugin = new RaspiIO();
  const board = new five.Board({ io: plugin, repl: false, debug: false, sigint: false });
  await new Promise<void>((resolve, reject) => {
    board.once('ready', () => resolve());
    board.once('error', reject);
  });
  const io = createPluginPinIO(plugin as unknown as Firmata, options.board, {
    pinKey: (pin) => `GPIO${pin.id}`,
    oneWireTemperature: (_pin, done) => readW1Temperature(done),
  });
  return startDeviceRuntime({ ...options, io });
}
