/** A real MQTT broker for tests: the embedded Aedes on a free loopback port. */
import { createServer, type Server, type Socket } from 'node:net';
import { Aedes } from 'aedes';

export interface TestBroker {
  aedes: Aedes;
  port: number;
  url: string;
  /** Stops listening and drops every client connection (simulates a broker crash when `hard`). */
  close(): Promise<void>;
}

export async function startTestBroker(port = 0): Promise<TestBroker> {
  const aedes = await Aedes.createBroker();
  const sockets = new Set<Socket>();
  const server: Server = createServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    aedes.handle(socket);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen({ port, host: '127.0.0.1' }, resolve);
  });
  const address = server.address();
  const actual = typeof address === 'object' && address ? address.port : port;
  return {
    aedes,
    port: actual,
    url: `mqtt://127.0.0.1:${actual}`,
    async close() {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await new Promise<void>((resolve) => aedes.close(() => resolve()));
    },
  };
}

/** True when Mosquitto answers on 127.0.0.1:1883. In CI its absence is a failure, not a skip. */
export async function mosquittoAvailable(): Promise<boolean> {
  const { connect } = await import('node:net');
  const up = await new Promise<boolean>((resolve) => {
    const socket = connect({ host: '127.0.0.1', port: 1883 });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
  if (!up && process.env.CI === 'true') {
    throw new Error('Mosquitto is not running on 127.0.0.1:1883, and CI=true requires it');
  }
  if (!up) console.warn('SKIP: Mosquitto is not running on 127.0.0.1:1883; its tests are skipped');
  return up;
}
