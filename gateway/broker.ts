/**
 * The device-side broker: the embedded Aedes on host:port. Policy (who may connect, publish,
 * subscribe) is passed in as hooks by the MQTT connector; this file only runs the server and
 * closes it, dropping every connection.
 */
import { createServer, type Server, type Socket } from 'node:net';
import { Aedes, type AedesOptions } from 'aedes';
import { isLoopback } from '../lib/hosts.js';
import { indexRetained } from './retained-index.js';

export type BrokerHooks = Pick<
  AedesOptions,
  'authenticate' | 'authorizePublish' | 'authorizeSubscribe' | 'authorizeForward' | 'preConnect'
>;

export interface RunningBroker {
  aedes: Aedes;
  host: string;
  port: number;
  /** Publishes from the gateway itself (retained status, commands). */
  publish(topic: string, payload: string, options: { qos: 0 | 1; retain: boolean }): Promise<void>;
  /** Stops listening, drops every client and closes Aedes. */
  close(): Promise<void>;
}

// Mosquitto 2.0's rule: a listener bound only to loopback may let anonymous clients in.
export { isLoopback };

/** Anonymous clients: only on a loopback listener, and only if the settings allow them there. */
export function anonymousAllowed(host: string, setting: 'auto' | 'never'): boolean {
  return setting === 'auto' && isLoopback(host);
}

export async function startBroker(options: {
  host: string;
  port: number;
  hooks: BrokerHooks;
  /** Called once Aedes exists, before the listener opens (to attach event listeners). */
  attach(aedes: Aedes): void;
}): Promise<RunningBroker> {
  const aedes = await Aedes.createBroker({
    ...options.hooks,
    // Room for a whole socket read of QoS 1 publishes to wait on the outbox commit together.
    concurrency: 1000,
    // Device client ids are device ids (up to 63 characters), beyond MQTT 3.1.1's minimum 23.
    maxClientsIdLength: 128,
  });
  // Before anything is retained: the index must see every retained message.
  indexRetained(
    (aedes as unknown as { persistence: Parameters<typeof indexRetained>[0] }).persistence,
  );
  options.attach(aedes);
  const sockets = new Set<Socket>();
  const server: Server = createServer({ noDelay: true }, (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    aedes.handle(socket);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen({ port: options.port, host: options.host }, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : options.port;
  let closed: Promise<void> | undefined;
  return {
    aedes,
    host: options.host,
    port,
    publish: (topic, payload, { qos, retain }) =>
      new Promise<void>((resolve, reject) => {
        aedes.publish(
          { cmd: 'publish', topic, payload: Buffer.from(payload), qos, retain, dup: false },
          (err) => (err ? reject(err) : resolve()),
        );
      }),
    close() {
      closed ??= (async () => {
        const serverClosed = new Promise<void>((resolve) => server.close(() => resolve()));
        for (const socket of sockets) socket.destroy();
        await serverClosed;
        await new Promise<void>((resolve) => aedes.close(() => resolve()));
      })();
      return closed;
    },
  };
}
