/**
 * The environment that carries connection details from the launcher to Node-RED's settings
 * and to the flows (as `${FULLSTACK_…}` in node properties). One list, so the launcher, the
 * settings file and the docs agree.
 */
import { join } from 'node:path';

export interface NodeRedEnvInput {
  host: string;
  port: number;
  dataDir: string;
  mqtt: { url: string; username?: string; password?: string };
  gatewayId: string;
  nodesDir?: string;
}

export function nodeRedEnv(input: NodeRedEnvInput): Record<string, string> {
  const url = new URL(input.mqtt.url);
  const env: Record<string, string> = {
    FULLSTACK_NR_HOST: input.host,
    FULLSTACK_NR_PORT: String(input.port),
    FULLSTACK_DATA_DIR: input.dataDir,
    FULLSTACK_MQTT_URL: input.mqtt.url,
    FULLSTACK_MQTT_HOST: url.hostname,
    FULLSTACK_MQTT_PORT: url.port || (url.protocol === 'mqtts:' ? '8883' : '1883'),
    FULLSTACK_MQTT_USERNAME: input.mqtt.username ?? '',
    FULLSTACK_MQTT_PASSWORD: input.mqtt.password ?? '',
    FULLSTACK_GATEWAY: input.gatewayId,
    FULLSTACK_DB: join(input.dataDir, 'readings.db'),
    FULLSTACK_API_KEYS: join(input.dataDir, 'api-keys.json'),
    FULLSTACK_NR_AUTH_FILE: join(input.dataDir, 'node-red-auth.json'),
  };
  if (input.nodesDir) env.FULLSTACK_NODES_DIR = input.nodesDir;
  return env;
}
