/** Shared by the gateway suites: a real gateway in a temp dir, MQTT devices and a backend. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import mqtt, { type IClientOptions, type MqttClient } from 'mqtt';
import type { Birth, Telemetry } from '../../contract/index.js';
import { type GatewayOptions, type RunningGateway, startGateway } from '../../gateway/index.js';
import { silentLogger } from '../../lib/log.js';

export function tempDir(prefix = 'fs-gw-'): { path: string; remove(): void } {
  const path = mkdtempSync(join(tmpdir(), prefix));
  return { path, remove: () => rmSync(path, { recursive: true, force: true }) };
}

export async function testGateway(
  options: Partial<GatewayOptions> = {},
): Promise<RunningGateway & { dir: string; cleanup(): Promise<void> }> {
  const dir = options.dataDir ? { path: options.dataDir, remove: () => undefined } : tempDir();
  const gateway = await startGateway({
    host: '127.0.0.1',
    mqttPort: 0,
    httpPort: 0,
    dataDir: dir.path,
    logger: silentLogger(),
    ...options,
    settings: { serial: { enabled: false }, ...options.settings },
  });
  // A tree that gives up fails the test that caused it, at cleanup, with the reason.
  let gaveUp: Error | undefined;
  gateway.done.catch((error: Error) => {
    gaveUp = error;
  });
  return Object.assign(gateway, {
    dir: dir.path,
    async cleanup() {
      await gateway.stop();
      dir.remove();
      if (gaveUp) throw gaveUp;
    },
  });
}

export function connect(url: string, options: IClientOptions = {}): Promise<MqttClient> {
  return new Promise((resolve, reject) => {
    const client = mqtt.connect(url, { reconnectPeriod: 0, connectTimeout: 5000, ...options });
    client.once('connect', () => resolve(client));
    client.once('error', (error) => {
      client.end(true);
      reject(error);
    });
  });
}

export function birth(sensors: string[] = ['temp'], boot = 1): Birth {
  return {
    online: true,
    ts: Date.now(),
    boot,
    fw: 'test-1',
    board: 'test',
    sensors: sensors.map((id) => ({ id, kind: 'temperature', unit: 'C' })),
    actuators: [{ id: 'led', kind: 'led' }],
  };
}

export function reading(seq: number, value = 20, boot = 1): Telemetry {
  return { seq, boot, ts: Date.now(), readings: { temp: value } };
}

export function publish(
  client: MqttClient,
  topic: string,
  payload: unknown,
  retain = false,
): Promise<void> {
  const body =
    typeof payload === 'string' || Buffer.isBuffer(payload) ? payload : JSON.stringify(payload);
  return new Promise((resolve, reject) => {
    client.publish(topic, body as string, { qos: 1, retain }, (error) =>
      error ? reject(error) : resolve(),
    );
  });
}

/** A device: connected, birth sent. */
export async function device(
  url: string,
  id: string,
  options: IClientOptions & { sensors?: string[] } = {},
): Promise<MqttClient> {
  const client = await connect(url, {
    clientId: id,
    will: {
      topic: `fs/v1/${id}/status`,
      payload: Buffer.from('{"online":false,"reason":"lost"}'),
      qos: 1,
      retain: true,
    },
    ...options,
  });
  await publish(client, `fs/v1/${id}/status`, birth(options.sensors), true);
  return client;
}

/** Collects JSON messages on topics; `until` waits for a predicate over what arrived. */
export async function listener(url: string, topics: string[], options: IClientOptions = {}) {
  const client = await connect(url, options);
  const messages: Array<{ topic: string; body: unknown }> = [];
  const waiters: Array<() => void> = [];
  client.on('message', (topic, payload) => {
    let body: unknown = payload.toString();
    try {
      body = JSON.parse(payload.toString());
    } catch {
      // not JSON: kept as text, which is what the assertion will see
    }
    messages.push({ topic, body });
    for (const w of waiters.splice(0)) w();
  });
  await new Promise<void>((resolve, reject) =>
    client.subscribe(topics, { qos: 1 }, (error) => (error ? reject(error) : resolve())),
  );
  return {
    client,
    messages,
    async until<T>(
      predicate: () => T | undefined | false,
      timeoutMs = 10_000,
      what = 'condition',
    ): Promise<T> {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const value = predicate();
        if (value) return value;
        const left = deadline - Date.now();
        if (left <= 0) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
        await new Promise<void>((resolve) => {
          const t = setTimeout(resolve, Math.min(left, 200));
          waiters.push(() => {
            clearTimeout(t);
            resolve();
          });
        });
      }
    },
    close: () => new Promise<void>((resolve) => client.end(true, {}, () => resolve())),
  };
}

export function end(client: MqttClient, force = false): Promise<void> {
  return new Promise((resolve) => client.end(force, {}, () => resolve()));
}

export async function waitFor<T>(
  fn: () => T | undefined | false | Promise<T | undefined | false>,
  timeoutMs = 10_000,
  what = 'condition',
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await fn();
    if (value) return value;
    if (Date.now() > deadline)
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

/**
 * An upstream broker whose door can be held shut for the gateway's forwarder (CONNACK 3,
 * "server unavailable", which the forwarder retries), so a test can subscribe first.
 */
export async function gatedUpstream(port = 0) {
  const { createServer } = await import('node:net');
  const { Aedes } = await import('aedes');
  let open = false;
  const aedes = await Aedes.createBroker({
    authenticate: (client, _u, _p, done) => {
      if (client.id.includes('forwarder') && !open) {
        return done(Object.assign(new Error('not yet'), { returnCode: 3 }) as never, false);
      }
      done(null, true);
    },
  });
  const sockets = new Set<import('node:net').Socket>();
  const server = createServer((s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
    aedes.handle(s);
  });
  await new Promise<void>((resolve) => server.listen({ host: '127.0.0.1', port }, resolve));
  const address = server.address();
  const actual = typeof address === 'object' && address ? address.port : port;
  return {
    url: `mqtt://127.0.0.1:${actual}`,
    port: actual,
    open() {
      open = true;
    },
    async close() {
      for (const s of sockets) s.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await new Promise<void>((resolve) => aedes.close(() => resolve()));
    },
  };
}
