/**
 * The gateway's HTTP port: `GET /health` (JSON: each supervised part, upstream, outbox,
 * devices), `GET /metrics` (Prometheus text), `GET /devices` (presence, for tools).
 */
import { createServer, type Server } from 'node:http';
import type { PresenceEntry } from '../contract/index.js';
import type { Metrics } from './metrics.js';
import type { ChildHandle, ChildStatus } from './supervisor/types.js';

export type HealthStatus = 'ok' | 'degraded';

export interface Health {
  status: HealthStatus;
  gateway: string;
  uptimeMs: number;
  children: ChildStatus[];
  upstream: { url: string; state: string; inFlightBatches: number };
  outbox: { depth: number; bytes: number; oldestAgeMs: number | null };
  devices: { online: number; known: number; sessions: number };
}

export interface HttpContext {
  host: string;
  port: number;
  health(): Health;
  metrics: Metrics;
  devices(): PresenceEntry[];
}

export async function startHttp(ctx: HttpContext): Promise<ChildHandle & { port: number }> {
  const server: Server = createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0];
    if (req.method !== 'GET') {
      res
        .writeHead(405, { allow: 'GET', 'content-type': 'text/plain' })
        .end('only GET is allowed\n');
      return;
    }
    try {
      if (path === '/health') {
        const health = ctx.health();
        res
          .writeHead(200, { 'content-type': 'application/json' })
          .end(`${JSON.stringify(health)}\n`);
      } else if (path === '/metrics') {
        res
          .writeHead(200, { 'content-type': 'text/plain; version=0.0.4' })
          .end(ctx.metrics.render());
      } else if (path === '/devices') {
        res
          .writeHead(200, { 'content-type': 'application/json' })
          .end(`${JSON.stringify(ctx.devices())}\n`);
      } else {
        res
          .writeHead(404, { 'content-type': 'text/plain' })
          .end(`no such path ${path}; try /health, /metrics or /devices\n`);
      }
    } catch (error) {
      res.writeHead(500, { 'content-type': 'text/plain' }).end(`${(error as Error).message}\n`);
    }
  });
  let crash!: (error: Error) => void;
  let finish!: () => void;
  const done = new Promise<void>((resolve, reject) => {
    finish = resolve;
    crash = reject;
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen({ host: ctx.host, port: ctx.port }, () => {
      server.off('error', reject);
      // Reported once closed, so that the restart can listen on the port again.
      server.on('error', (error) => {
        server.closeAllConnections();
        server.close(() => crash(error));
      });
      resolve();
    });
  });
  const address = server.address();
  return {
    port: typeof address === 'object' && address ? address.port : ctx.port,
    done,
    stop: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      finish();
    },
  };
}
