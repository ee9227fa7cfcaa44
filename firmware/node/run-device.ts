/**
 * `fullstack device run`: one device process. Picks the IO for the board (simulated, Firmata
 * over a serial port, raspi-io on a Pi), starts the runtime and stops it cleanly on a signal.
 */
import { join, resolve } from 'node:path';
import { pino } from 'pino';
import { getBoard } from '../../hardware/boards/index.js';
import { World } from '../../hardware/virtual/world.js';
import type { PinIO } from '../core/types.js';
import { createFileBootStore } from './boot-store.js';
import { readDeviceConfigFile } from './config-file.js';
import { createPlainSimIO } from './plain-sim-io.js';
import { startDeviceRuntime } from './start.js';

export interface RunDeviceOptions {
  configPath: string;
  port?: string;
  broker?: string;
  id?: string;
  simulate: boolean;
  stateDir?: string;
  logLevel: string;
}

export async function runDevice(options: RunDeviceOptions): Promise<void> {
  const logger = pino(
    { name: 'fullstack-device', level: options.logLevel },
    pino.destination({ dest: 2, sync: true }),
  );
  const config = readDeviceConfigFile(options.configPath);
  const board = getBoard(config.board);
  const id = options.id ?? config.id;
  const brokerUrl = options.broker ?? config.broker?.url;
  if (!brokerUrl) {
    throw new Error(`no broker: give --broker URL or set broker.url in ${options.configPath}`);
  }
  const vref = board.adcVolts ?? board.logicVolts;
  let io: PinIO;
  let close = async () => {};
  if (options.simulate) {
    const world = new World({
      seed: config.simulation?.seed,
      ...simulatedWorld(config.simulation?.world),
    });
    io = createPlainSimIO(config, world, vref);
    close = async () => world.close();
  } else {
    throw new Error(
      `board "${board.id}" (${board.target}) needs hardware: give --port PATH for a Firmata board, or --simulate`,
    );
  }
  const stateDir = resolve(options.stateDir ?? join('data', 'devices', id));
  const device = startDeviceRuntime({
    config,
    board,
    brokerUrl,
    io,
    store: createFileBootStore(join(stateDir, 'boot')),
    logger,
    id,
  });
  logger.info({ broker: brokerUrl, board: board.id, boot: device.state.boot }, 'device started');
  await new Promise<void>((done) => {
    const onSignal = (signal: string) => {
      logger.info({ signal }, 'stopping');
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
      done();
    };
    process.on('SIGINT', onSignal);
    process.on('SIGTERM', onSignal);
  });
  await device.stop('clean');
  await close();
}

/** The config's simulation.world numbers as World options (names kept, noise renamed). */
function simulatedWorld(world: Record<string, number> | undefined): Record<string, number> {
  const options: Record<string, number> = {};
  if (!world) return options;
  if (world.baseTemperature !== undefined) options.baseTemperature = world.baseTemperature;
  if (world.dailySwing !== undefined) options.dailySwing = world.dailySwing;
  if (world.noise !== undefined) options.temperatureNoise = world.noise;
  return options;
}
