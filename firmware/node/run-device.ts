/**
 * `fullstack device run`: one device process. Picks the host for the board (a simulated board,
 * Firmata over a serial port, raspi-io on a Pi), starts the runtime and stops it cleanly on a
 * signal. Logs go to stderr (pino); stdout stays empty.
 */
import { join, resolve } from 'node:path';
import { pino } from 'pino';
import { getBoard } from '../../hardware/boards/index.js';
import { loadDeviceConfig, parseDeviceConfig } from '../../hardware/config/index.js';
import type { DeviceConfig } from '../../hardware/config/types.js';
import { nodeOtaCommands, reportBirthToHost } from '../ota/node-device.js';
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
  /** The config itself, already read (a hosted firmware slot carries it); else configPath. */
  config?: DeviceConfig;
  /** The firmware id the birth reports (a hosted slot's own; default fullstack/<version>). */
  fw?: string;
}

/** The trial a new firmware gets, from the host (FULLSTACK_OTA_TRIAL_MS); undefined: default. */
function otaTrialMs(): number | undefined {
  const text = process.env.FULLSTACK_OTA_TRIAL_MS;
  if (text === undefined || text === '') return undefined;
  const value = Number(text);
  if (!Number.isInteger(value) || value < 1000) {
    throw new Error(
      `FULLSTACK_OTA_TRIAL_MS is "${text}" (allowed: an integer number of ms, at least 1000)`,
    );
  }
  return value;
}

export async function runDevice(options: RunDeviceOptions): Promise<void> {
  const logger = pino(
    { name: 'fullstack-device', level: options.logLevel },
    pino.destination({ dest: 2, sync: true }),
  );
  const config = options.config
    ? parseDeviceConfig(JSON.stringify(options.config), options.configPath)
    : loadDeviceConfig(options.configPath);
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
    fw: options.fw,
    // Under `fullstack device host` (which sets FULLSTACK_OTA_DIR) the device takes the ota-*
    // commands and tells the host when its birth was acknowledged, confirming a trial boot;
    // run on its own, the table is empty and the report goes nowhere.
    extraCommands: nodeOtaCommands({ trialMs: otaTrialMs() }),
    birthAcknowledged: reportBirthToHost,
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
