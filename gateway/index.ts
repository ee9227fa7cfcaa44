/**
 * The gateway: `startGateway` builds the parts and runs them as one supervision tree.
 *
 *   store ─ sessions ─ broker ─ forwarder ─ serial ─ http        (rest_for_one)
 *
 * Each later child depends on the ones before it, so a crash restarts it and everything
 * after it (see tree.ts for why each one comes where it does).
 */
import type { Clock } from '../lib/clock.js';
import { systemClock } from '../lib/clock.js';
import type { Logger } from '../lib/log.js';
import { ensureBackendCredential } from './backend-credential.js';
import { anonymousAllowed } from './broker.js';
import { type GatewaySettings, loadSettings, type PartialSettings } from './config.js';
import { CredentialStore } from './credentials.js';
import { registerGauges } from './gauges.js';
import { monitorEventLoop } from './loop-monitor.js';
import { gatewayCounters, Metrics } from './metrics.js';
import { urlHost } from './part-handle.js';
import type { SerialPortAccess } from './serial/ports.js';
import { type ChildHandle, type SupervisorEvent, startSupervisor } from './supervisor/index.js';
import { type GatewayParts, gatewayTree } from './tree.js';

export interface GatewayOptions {
  host: string;
  mqttPort: number;
  httpPort: number;
  dataDir: string;
  /** Default 'local'. */
  gatewayId?: string;
  logger: Logger;
  clock?: Clock;
  /** The backend broker; default: the device-side broker (embedded, or `deviceBroker`). */
  upstream?: { url: string; username?: string; password?: string };
  /** An external device-side broker (Mosquitto on the Pi) instead of the embedded Aedes. */
  deviceBroker?: { url: string; username?: string; password?: string };
  /** A JSON config file (see docs/gateway.md); its values yield to `env` and `settings`. */
  configFile?: string;
  /** Environment overrides (FULLSTACK_GATEWAY_*); pass process.env to honour them. */
  env?: NodeJS.ProcessEnv;
  settings?: PartialSettings;
  /** Where serial boards are listed and opened; default this machine's ports (tests: the mock binding). */
  serialPorts?: SerialPortAccess;
  /** Receives every supervision event (the lead's `up` may log them). */
  onEvent?: (e: SupervisorEvent) => void;
}

export interface RunningGateway extends ChildHandle {
  gatewayId: string;
  mqttUrl: string;
  httpUrl: string;
  /** The service credential Node-RED uses on the broker. */
  backend: { username: string; password: string };
  settings: GatewaySettings;
  /** For tests and tools: the live parts. */
  parts: GatewayParts;
}

export async function startGateway(options: GatewayOptions): Promise<RunningGateway> {
  const settings = loadSettings({
    file: options.configFile,
    env: options.env,
    overrides: {
      ...options.settings,
      ...(options.gatewayId ? { gatewayId: options.gatewayId } : {}),
    },
  });
  const clock = options.clock ?? systemClock;
  const log = options.logger.child({ gateway: settings.gatewayId });
  const credentials = new CredentialStore(options.dataDir);
  const backend = await ensureBackendCredential(credentials, options.dataDir);
  const metrics = new Metrics();
  const counters = gatewayCounters(metrics);
  const parts: GatewayParts = {
    settings,
    clock,
    log,
    metrics,
    counters,
    credentials,
    dataDir: options.dataDir,
    host: options.host,
    mqttPort: options.mqttPort,
    httpPort: options.httpPort,
    allowAnonymous: anonymousAllowed(options.host, settings.anonymous),
    upstream: options.upstream ??
      (options.deviceBroker ? { ...options.deviceBroker } : undefined) ?? {
        url: '',
        username: backend.username,
        password: backend.password,
      },
    embeddedUpstream: options.upstream === undefined && options.deviceBroker === undefined,
    deviceBroker: options.deviceBroker,
    startedAt: clock.now(),
    supervisor: undefined,
    serialPorts: options.serialPorts,
  };
  registerGauges(parts);
  const loop = monitorEventLoop(metrics);
  const onEvent = (e: SupervisorEvent) => {
    if (e.type === 'child-restarting') counters.restarts.inc({ child: e.child });
    if (e.type === 'child-exited' && e.outcome === 'crash')
      log.error({ child: e.child, err: e.error }, 'child crashed');
    options.onEvent?.(e);
  };
  const supervisor = await startSupervisor({
    id: `gateway-${settings.gatewayId}`,
    strategy: 'rest_for_one',
    children: gatewayTree(parts, onEvent),
    clock,
    logger: log,
    onEvent,
  });
  parts.supervisor = supervisor;
  const mqttUrl = options.deviceBroker?.url ?? `mqtt://${urlHost(options.host)}:${parts.mqttPort}`;
  const httpUrl = `http://${urlHost(options.host)}:${parts.httpPort}`;
  log.info({ mqttUrl, httpUrl, upstream: parts.upstream.url }, 'gateway running');
  let stopping: Promise<void> | undefined;
  return {
    gatewayId: settings.gatewayId,
    mqttUrl,
    httpUrl,
    // With an external device broker the backend shares its credential (or none, if anonymous).
    backend: options.deviceBroker
      ? {
          username: options.deviceBroker.username ?? '',
          password: options.deviceBroker.password ?? '',
        }
      : backend,
    settings,
    parts,
    done: supervisor.done,
    stop() {
      stopping ??= (async () => {
        // Say goodbye upstream while the forwarder still runs: every device is offline, and why.
        parts.mqtt?.markAllOffline('gateway-stopping');
        parts.external?.markAllOffline('gateway-stopping');
        parts.serial?.markAllOffline('gateway-stopping');
        parts.presence?.flush();
        await parts.forwarder?.sendFullState();
        await supervisor.stop();
        loop.stop();
      })();
      return stopping;
    },
  };
}
