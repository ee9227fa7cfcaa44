/**
 * `fullstack up` from start to stop: pick ports, start the supervision tree, wait for the
 * devices' births, print `FullStack ready …`, then run until SIGINT/SIGTERM or until the tree
 * gives up (exit 1, for systemd to restart us).
 */
import { isIP } from 'node:net';
import { checkExposure } from '../../flows/lib/admin-auth.js';
import { acquireDataDirLock, DataDirInUseError } from '../../lib/data-lock.js';
import { PortInUseError } from '../../lib/ports.js';
import { checkSimConfigs, simulatedDevices } from './devices.js';
import { describeEvent } from './events.js';
import { upLogger } from './logging.js';
import type { UpOptions } from './options.js';
import { chooseUpPorts, describeFallbacks, PortClashError } from './ports.js';
import { waitForBirths } from './ready.js';
import { type RunningSystem, type SystemUrls, startSystem } from './system.js';

const BIRTH_TIMEOUT_MS = 15_000;

export function readyLine(urls: SystemUrls): string {
  return `FullStack ready  broker ${urls.mqtt}  dashboard ${urls.dashboard}  editor ${urls.editor}  gateway ${urls.gateway}`;
}

function checkHost(host: string): string | undefined {
  if (host === 'localhost' || isIP(host) !== 0) return undefined;
  return `--host "${host}" is not an IP address (allowed: an IPv4 or IPv6 address, or localhost)`;
}

function waitForSignal(): { signal: Promise<NodeJS.Signals>; dispose: () => void } {
  let handler: (signal: NodeJS.Signals) => void = () => {};
  const signal = new Promise<NodeJS.Signals>((resolve) => {
    handler = resolve;
  });
  process.once('SIGINT', handler);
  process.once('SIGTERM', handler);
  return {
    signal,
    dispose: () => {
      process.off('SIGINT', handler);
      process.off('SIGTERM', handler);
    },
  };
}

/** A second Ctrl-C while stopping means "now": children are killed with the process group. */
function forceExitOnSecondSignal(): void {
  const force = () => {
    console.error('fullstack up: second signal, exiting now');
    process.exit(130);
  };
  process.once('SIGINT', force);
  process.once('SIGTERM', force);
}

export async function runUp(options: UpOptions): Promise<number> {
  const hostProblem = checkHost(options.host);
  if (hostProblem) {
    console.error(`fullstack up: ${hostProblem}`);
    return 2;
  }
  let ports: Awaited<ReturnType<typeof chooseUpPorts>>;
  try {
    ports = await chooseUpPorts(options);
  } catch (error) {
    if (!(error instanceof PortInUseError || error instanceof PortClashError)) throw error;
    console.error(`fullstack up: ${error.message}`);
    return 2;
  }
  // Exposed beyond loopback, the editor must need a login: refuse before starting anything.
  const exposure = checkExposure(options.host, options.dataDir);
  if (!exposure.ok) {
    console.error(`fullstack up: ${exposure.message}`);
    return 2;
  }
  let lock: { release(): void };
  try {
    lock = acquireDataDirLock(options.dataDir, 'up');
  } catch (error) {
    if (!(error instanceof DataDirInUseError)) throw error;
    console.error(`fullstack up: ${error.message}`);
    return 2;
  }
  // Only now touch the data dir: a refused start leaves nothing behind.
  const { logger, file } = upLogger(options.dataDir);
  for (const line of describeFallbacks(ports)) console.log(line);
  checkSimConfigs(simulatedDevices(options.devices));

  const stopSignal = waitForSignal();
  let system: RunningSystem;
  try {
    system = await startSystem({
      host: options.host,
      ports,
      dataDir: options.dataDir,
      devices: options.devices,
      logger,
      onEvent: (event) => {
        logger.info({ event }, 'supervisor event');
        const line = describeEvent(event);
        if (line) console.log(line);
      },
    });
  } catch (error) {
    stopSignal.dispose();
    console.error(`fullstack up: failed to start: ${(error as Error).message}`);
    console.error(`fullstack up: logs are in ${file}`);
    logger.error({ err: error }, 'start failed');
    return 1;
  }

  const births = await waitForBirths({
    brokerUrl: system.urls().mqtt,
    deviceIds: system.deviceIds,
    timeoutMs: BIRTH_TIMEOUT_MS,
    credentials: system.backend(),
  });
  if (births.missing.length > 0) {
    console.warn(`fullstack up: no birth yet from ${births.missing.join(', ')} (see ${file})`);
  }
  console.log(readyLine(system.urls()));
  console.log(`logs: ${file}; stop with Ctrl-C`);

  const outcome = await Promise.race([
    stopSignal.signal.then((signal) => ({ kind: 'signal' as const, signal })),
    system.supervisor.done.then(
      () => ({ kind: 'ended' as const }),
      (error: unknown) => ({ kind: 'failed' as const, error }),
    ),
  ]);
  stopSignal.dispose();
  forceExitOnSecondSignal();
  if (outcome.kind === 'signal') {
    console.log(`${outcome.signal}: stopping…`);
    await system.supervisor.stop();
    console.log('FullStack stopped');
    logger.flush();
    lock.release();
    return 0;
  }
  const reason =
    outcome.kind === 'failed' ? (outcome.error as Error).message : 'the supervision tree ended';
  console.error(`fullstack up: giving up: ${reason} (see ${file})`);
  await system.supervisor.stop();
  logger.flush();
  return 1;
}
