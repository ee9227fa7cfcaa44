/**
 * A real MQTT broker for tests: the embedded Aedes on a free loopback port, started by the
 * gateway's own broker module with no policy hooks (anyone may connect, publish, subscribe).
 */
import type { Aedes } from 'aedes';
import { startBroker } from '../../gateway/broker.js';

export interface TestBroker {
  aedes: Aedes;
  port: number;
  url: string;
  /** Stops listening and drops every client connection (what a broker crash looks like). */
  close(): Promise<void>;
}

export async function startTestBroker(port = 0): Promise<TestBroker> {
  const broker = await startBroker({ host: '127.0.0.1', port, hooks: {}, attach: () => {} });
  return {
    aedes: broker.aedes,
    port: broker.port,
    url: `mqtt://127.0.0.1:${broker.port}`,
    close: () => broker.close(),
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
