/**
 * The all-in-one system of `fullstack up`, as one supervision tree. Children start in order and
 * stop in reverse, like a Phoenix application's children.
 */
import { startNodeRed } from '../../flows/launch.js';
import { isLoopback } from '../../flows/lib/admin-auth.js';
import { CredentialStore } from '../../gateway/credentials.js';
import { startGateway } from '../../gateway/index.js';
import {
  type ChildSpec,
  type Supervisor,
  type SupervisorEvent,
  startSupervisor,
} from '../../gateway/supervisor/index.js';
import type { Logger } from '../../lib/log.js';
import { simDeviceSpec, simulatedDevices } from './devices.js';
import type { UpPorts } from './ports.js';

export interface SystemOptions {
  host: string;
  ports: UpPorts;
  dataDir: string;
  devices: number;
  logger: Logger;
  onEvent?: (event: SupervisorEvent) => void;
}

export interface SystemUrls {
  mqtt: string;
  dashboard: string;
  editor: string;
  gateway: string;
}

export interface RunningSystem {
  supervisor: Supervisor;
  urls: () => SystemUrls;
  deviceIds: string[];
  /** The service credential of the backend on the broker (Node-RED's). */
  backend: () => { username: string; password: string } | undefined;
}

export async function startSystem(options: SystemOptions): Promise<RunningSystem> {
  const { host, ports, dataDir, logger } = options;
  const urls: SystemUrls = {
    mqtt: `mqtt://${host}:${ports.mqtt.port}`,
    dashboard: `http://${host}:${ports.ui.port}/dashboard`,
    editor: `http://${host}:${ports.ui.port}/`,
    gateway: `http://${host}:${ports.gateway.port}`,
  };
  let backend: { username: string; password: string } | undefined;
  const devices = simulatedDevices(options.devices);
  // Beyond loopback every client authenticates (Mosquitto 2.0 rules), simulated devices too:
  // each gets fresh credentials for this run, handed over in its environment.
  const deviceCredentials = isLoopback(host)
    ? new Map<string, { username: string; password: string }>()
    : await provisionAll(
        dataDir,
        devices.map((d) => d.id),
      );

  const children: ChildSpec[] = [
    // The gateway first: it owns the broker that Node-RED and every device connect to.
    {
      id: 'gateway',
      restart: 'permanent',
      shutdownMs: 10_000,
      start: async () => {
        const gateway = await startGateway({
          host,
          mqttPort: ports.mqtt.port,
          httpPort: ports.gateway.port,
          dataDir,
          logger: logger.child({ child: 'gateway' }),
          // FULLSTACK_GATEWAY_* overrides (rate limits, disk budget, serial boards) apply here too.
          env: process.env,
        });
        backend = gateway.backend;
        urls.mqtt = gateway.mqttUrl;
        urls.gateway = gateway.httpUrl;
        return gateway;
      },
    },
    // Node-RED next: it reconnects to the broker by itself, so a gateway restart needs no
    // Node-RED restart (one_for_one), and it is up before devices so that no birth is missed
    // by a dashboard that is already open (births are retained anyway).
    {
      id: 'node-red',
      restart: 'permanent',
      shutdownMs: 10_000,
      start: async () => {
        const nodeRed = await startNodeRed({
          host,
          port: ports.ui.port,
          dataDir,
          mqtt: { url: urls.mqtt, username: backend?.username, password: backend?.password },
          logger: logger.child({ child: 'node-red' }),
        });
        urls.dashboard = nodeRed.dashboardUrl;
        urls.editor = nodeRed.editorUrl;
        return nodeRed;
      },
    },
    // The simulated devices last, under their own supervisor: a device that crash-loops is
    // given up on by that supervisor without counting against the gateway's or Node-RED's
    // restarts.
    {
      id: 'devices',
      restart: 'permanent',
      shutdownMs: 10_000,
      start: () =>
        startSupervisor({
          id: 'devices',
          strategy: 'one_for_one',
          intensity: { maxRestarts: Math.max(3, devices.length * 2), withinMs: 5000 },
          children: devices.map((device) =>
            simDeviceSpec({
              device,
              brokerUrl: () => urls.mqtt,
              credentials: () => deviceCredentials.get(device.id),
              stateDir: dataDir,
              logger,
            }),
          ),
          logger: logger.child({ supervisor: 'devices' }),
          onEvent: options.onEvent,
        }),
    },
  ];

  const supervisor = await startSupervisor({
    id: 'fullstack',
    // one_for_one: every child reconnects to the broker on its own, so none needs a restart
    // when another one restarts.
    strategy: 'one_for_one',
    children,
    logger: logger.child({ supervisor: 'fullstack' }),
    onEvent: options.onEvent,
  });
  return {
    supervisor,
    urls: () => ({ ...urls }),
    deviceIds: devices.map((d) => d.id),
    backend: () => backend,
  };
}

async function provisionAll(
  dataDir: string,
  ids: readonly string[],
): Promise<Map<string, { username: string; password: string }>> {
  const store = new CredentialStore(dataDir);
  const issued = new Map<string, { username: string; password: string }>();
  for (const id of ids) {
    const credential = await store.provision(id);
    issued.set(id, { username: credential.username, password: credential.password });
  }
  return issued;
}
