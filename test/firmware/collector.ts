/** A subscriber for tests: every device message on a broker, parsed, with a way to wait for one. */
import mqtt, { type MqttClient } from 'mqtt';

export interface Received {
  topic: string;
  kind: string;
  retain: boolean;
  payload: Record<string, unknown>;
}

export interface Collector {
  client: MqttClient;
  messages: Received[];
  of(kind: string): Received[];
  waitFor(
    predicate: (m: Received) => boolean,
    timeoutMs?: number,
    what?: string,
  ): Promise<Received>;
  send(topic: string, payload: string): Promise<void>;
  close(): Promise<void>;
}

export async function collect(url: string, deviceId: string): Promise<Collector> {
  const client = mqtt.connect(url, {
    reconnectPeriod: 100,
    clientId: `collector-${deviceId}-${process.pid}`,
  });
  const messages: Received[] = [];
  let waiters: { predicate: (m: Received) => boolean; resolve: (m: Received) => void }[] = [];
  client.on('message', (topic, payload, packet) => {
    let parsed: Record<string, unknown>;
    try {
      parsed = JSON.parse(payload.toString());
    } catch (error) {
      parsed = { unparsable: payload.toString(), error: String(error) };
    }
    const message = {
      topic,
      kind: topic.split('/')[3] ?? '',
      retain: packet.retain,
      payload: parsed,
    };
    messages.push(message);
    waiters = waiters.filter((w) => {
      if (!w.predicate(message)) return true;
      w.resolve(message);
      return false;
    });
  });
  await new Promise<void>((resolve, reject) => {
    client.once('connect', () => resolve());
    client.once('error', reject);
  });
  await client.subscribeAsync(`fs/v1/${deviceId}/#`, { qos: 1 });
  return {
    client,
    messages,
    of: (kind) => messages.filter((m) => m.kind === kind),
    waitFor(predicate, timeoutMs = 10_000, what = 'a message') {
      const found = messages.find(predicate);
      if (found) return Promise.resolve(found);
      return new Promise((resolve, reject) => {
        const timer = setTimeout(
          () => reject(new Error(`timed out waiting for ${what}`)),
          timeoutMs,
        );
        waiters.push({
          predicate,
          resolve: (m) => {
            clearTimeout(timer);
            resolve(m);
          },
        });
      });
    },
    async send(topic, payload) {
      await client.publishAsync(topic, payload, { qos: 1 });
    },
    close: () => client.endAsync(true).then(() => undefined),
  };
}
