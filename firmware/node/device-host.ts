/**
 * `fullstack device host`: runs a device's firmware from A/B slots through NodeFirmwareHost, so
 * an OTA update replaces the running firmware and a new one that sends no birth in time is
 * rolled back. The first start installs the config's Node firmware (node-bundle.ts) in slot a;
 * after that the slots decide what runs (`reinstall` puts the config's firmware back).
 */
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { pino } from 'pino';
import { loadDeviceConfig } from '../../hardware/config/index.js';
import { systemClock } from '../../lib/clock.js';
import { FileSlotStore } from '../ota/file-slots.js';
import { DEFAULT_TRIAL_MS } from '../ota/node-device.js';
import { type HostEvent, NodeFirmwareHost } from '../ota/node-host.js';
import { DEVICE_OPTIONS_ENV, type HostedRunOptions } from './hosted-firmware.js';
import { buildNodeBundle, DEVICE_RUNTIME_ENV } from './node-bundle.js';

export interface HostDeviceOptions extends HostedRunOptions {
  configPath: string;
  /** Where the slots live; default <stateDir>/<id>/firmware. */
  slotsDir?: string;
  trialMs?: number;
  /** Install the config's firmware in place of what the slots hold. */
  reinstall: boolean;
}

/** The module a Node firmware slot loads: this installation's hosted-firmware.js. */
const HOSTED_RUNTIME = fileURLToPath(new URL('./hosted-firmware.js', import.meta.url));

export async function hostDevice(options: HostDeviceOptions): Promise<void> {
  const logger = pino(
    { name: 'fullstack-device-host', level: options.logLevel },
    pino.destination({ dest: 2, sync: true }),
  );
  const config = loadDeviceConfig(options.configPath);
  const id = options.id ?? config.id;
  const dir = resolve(options.slotsDir ?? join(options.stateDir, id, 'firmware'));
  const store = new FileSlotStore(dir);
  if (store.readRecord() === null || options.reinstall) {
    const bundle = buildNodeBundle(config);
    store.install(Buffer.from(bundle.code, 'utf8'), bundle.fw);
    logger.info({ dir, fw: bundle.fw }, 'installed the config’s firmware in slot a');
  }
  const run: HostedRunOptions = {
    port: options.port,
    broker: options.broker,
    id: options.id,
    simulate: options.simulate,
    stateDir: resolve(options.stateDir),
    logLevel: options.logLevel,
  };
  const host = new NodeFirmwareHost({
    store,
    clock: systemClock,
    env: {
      ...process.env,
      [DEVICE_OPTIONS_ENV]: JSON.stringify(run),
      [DEVICE_RUNTIME_ENV]: HOSTED_RUNTIME,
      FULLSTACK_OTA_TRIAL_MS: String(options.trialMs ?? DEFAULT_TRIAL_MS),
    },
    onEvent: (event: HostEvent) => logHostEvent(logger, event),
  });
  const signalled = new Promise<void>((done) => {
    const onSignal = (signal: string) => {
      logger.info({ signal }, 'stopping the firmware');
      done();
    };
    process.once('SIGINT', onSignal);
    process.once('SIGTERM', onSignal);
  });
  host.start();
  await signalled;
  await host.stop();
}

function logHostEvent(logger: pino.Logger, event: HostEvent): void {
  if (event.type === 'started') {
    logger.info(
      { slot: event.record.slot, fw: event.record.fw, trial: event.record.trial !== undefined },
      'firmware started',
    );
  } else if (event.type === 'confirmed') {
    logger.info({ fw: event.fw }, 'new firmware confirmed by its birth');
  } else if (event.type === 'exited') {
    logger.warn({ fw: event.fw, code: event.code, signal: event.signal }, 'firmware exited');
  } else {
    logger.info(event.message);
  }
}
