/**
 * Waits until every simulated device has announced itself (its retained birth on the broker),
 * so that `FullStack ready` means the dashboard has something to show.
 */
import mqtt from 'mqtt';
import { checkStatus, parseJson, statusTopic } from '../../contract/index.js';
import { partCatalog } from '../../firmware/node/catalog-facts.js';

const PARTS = partCatalog();

export async function waitForBirths(options: {
  brokerUrl: string;
  deviceIds: readonly string[];
  timeoutMs: number;
  credentials?: { username: string; password: string };
}): Promise<{ online: string[]; missing: string[] }> {
  const pending = new Set(options.deviceIds);
  if (pending.size === 0) return { online: [], missing: [] };
  const client = await mqtt.connectAsync(options.brokerUrl, {
    clientId: `fullstack-up-probe-${process.pid}`,
    username: options.credentials?.username,
    password: options.credentials?.password,
    reconnectPeriod: 500,
  });
  try {
    await new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, options.timeoutMs);
      client.on('message', (topic, payload) => {
        const json = parseJson(payload);
        const status = json.ok ? checkStatus(json.value, PARTS) : json;
        const id = topic.split('/')[2] as string;
        if (status.ok && status.value.online) pending.delete(id);
        if (pending.size === 0) {
          clearTimeout(timer);
          resolve();
        }
      });
      void client.subscribeAsync(options.deviceIds.map(statusTopic), { qos: 1 });
    });
  } finally {
    await client.endAsync(true);
  }
  const missing = [...pending];
  return { online: options.deviceIds.filter((id) => !pending.has(id)), missing };
}
