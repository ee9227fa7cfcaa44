/**
 * `fullstack device run`: one device process. Picks the host for the board (a simulated board,
 * Firmata over a serial port, raspi-io on a Pi), starts the runtime and stops it cleanly on a
 * signal. Logs go to stderr (pino); stdout stays empty.
 */
import { join, resolve } from 'node:path';
import { pino } from 'pino';
import { getBoard } from '../../hardware/boards/index.js';
import { loadDeviceConfig } from '../../hardware/config/index.js';
import { createFileBootStore } from './boot-store.js';
import { startFirmataDevice } from './firmata-device.js';
import { startRaspiDevice } from './raspi-device.js';
import { startSimulatedDevice } from './simulated-device.js';
import type { DeviceRuntime, StartDeviceOptions } from './start.js';

export interface RunDeviceOptions {
  configPath: string;
  port?: string;
  broker?: string;
  id?: string;
  simulate: boolean;
  /** Devices' state directory: the boot counter is <stateDir>/<id>/boot. */
  stateDir: string;
  logLevel: string;
}

export async function runDevice(options: RunDeviceOptions): Promise<void> {
  const logger = pino(
    { name: 'fullstack-device', level: options.logLevel },
    pino.destination({ dest: 2, sync: true }),
  );
  const config = loadDeviceConfig(options.configPath);
  const board = getBoard(config.board);
  const id = options.id ?? config.id;
  const brokerUrl = options.broker ?? config.broker?.url;
  if (!brokerUrl) {
    throw new Error(`no broker: give --broker URL or set broker.url in ${options.configPath}`);
  }
  const bootFile = join(resolve(options.stateDir), id, 'boot');
  const common: Omit<StartDeviceOptions, 'io'> = {
    config,
    board,
    brokerUrl,
    id,
    logger,
    store: createFileBootStore(bootFile),
    // Credentials come from the environment rather than argv, where `ps` would show them
    // (`fullstack up` provisions its simulated devices this way when it listens beyond loopback).
    username: process.env.FULLSTACK_MQTT_USERNAME,
    password: process.env.FULLSTACK_MQTT_PASSWORD,
  };
  let exitCode = 0;
  let unplugged: () => void = () => {};
  const gone = new Promise<void>((done) => {
    unplugged = done;
  });
  // Listen for signals before the (slow) board handshake, so a stop requested meanwhile still
  // ends with a clean goodbye once the device is up.
  const signalled = new Promise<void>((done) => {
    const onSignal = (signal: string) => {
      logger.info({ signal }, 'stopping');
      done();
    };
    process.once('SIGINT', onSignal);
    process.once('SIGTERM', onSignal);
  });
  let device: DeviceRuntime;
  if (options.simulate) {
    device = await startSimulatedDevice(common);
  } else if (board.target === 'node-firmata') {
    if (!options.port) {
      throw new Error(
        `board "${board.id}" is a Firmata board: give --port PATH (e.g. /dev/ttyACM0), or --simulate`,
      );
    }
    device = await startFirmataDevice({
      ...common,
      port: options.port,
      onDisconnect: () => {
        exitCode = 1;
        unplugged();
      },
    });
  } else if (board.target === 'node-raspi') {
    device = await startRaspiDevice({ ...common, board });
  } else {
    throw new Error(
      `board "${board.id}" runs Espruino: build a bundle with \`fullstack build ${options.configPath} --target espruino\`, or run it here with --simulate`,
    );
  }
  logger.info(
    { device: device.id, broker: brokerUrl, board: board.id, boot: device.state.boot },
    'device started',
  );
  await Promise.race([signalled, gone]);
  await device.stop('clean');
  if (exitCode !== 0) {
    logger.error('the board went away; exiting so a supervisor can restart the device');
    process.exitCode = exitCode;
  }
}
