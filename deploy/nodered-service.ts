/**
 * `fullstack nodered run`: Node-RED on its own, as the Pi's fullstack-nodered.service runs it
 * (the gateway is its own service). It connects to the gateway's broker with the backend
 * credential the gateway keeps in the shared data directory, and exits non-zero when Node-RED
 * dies, so that systemd restarts it.
 */
import { backendCredential } from '../cli/commands/ota.js';
import { startNodeRed } from '../flows/launch.js';
import { createLogger } from '../lib/log.js';

export interface NodeRedServiceOptions {
  host: string;
  uiPort: number;
  broker: string;
  dataDir: string;
}

export async function runNodeRedService(options: NodeRedServiceOptions): Promise<void> {
  const logger = createLogger({ name: 'fullstack-nodered' });
  const credential = backendCredential(options.dataDir);
  const nodeRed = await startNodeRed({
    host: options.host,
    port: options.uiPort,
    dataDir: options.dataDir,
    mqtt: { url: options.broker, username: credential?.username, password: credential?.password },
    logger,
  });
  logger.info({ dashboard: nodeRed.dashboardUrl, editor: nodeRed.editorUrl }, 'Node-RED running');
  const stopped = new Promise<void>((resolve) => {
    const onSignal = () => {
      process.off('SIGTERM', onSignal);
      process.off('SIGINT', onSignal);
      void nodeRed.stop().then(resolve);
    };
    process.on('SIGTERM', onSignal);
    process.on('SIGINT', onSignal);
  });
  await Promise.race([stopped, nodeRed.done]);
}
