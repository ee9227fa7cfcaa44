/** Node-RED as the e2e suites start it: on loopback, a free port, quiet, against one broker. */
import { type NodeRedOptions, type RunningNodeRed, startNodeRed } from '../../flows/launch.js';
import { silentLogger } from '../../lib/log.js';
import { freePort } from '../../lib/ports.js';

export async function startLocalNodeRed(
  dataDir: string,
  brokerUrl: string,
  extra: Partial<NodeRedOptions> = {},
): Promise<RunningNodeRed> {
  return startNodeRed({
    host: '127.0.0.1',
    port: await freePort(),
    dataDir,
    mqtt: { url: brokerUrl },
    logger: silentLogger(),
    ...extra,
  });
}
