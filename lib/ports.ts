/** Port selection: default ports that fall back to a free one, explicit ports that must be free. */
import { createServer } from 'node:net';

/** Resolves true when `host:port` can be bound right now. */
export function isPortFree(port: number, host = '127.0.0.1'): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.unref();
    server.once('error', () => resolve(false));
    server.listen({ port, host, exclusive: true }, () => server.close(() => resolve(true)));
  });
}

/** A port the OS says is free now (bind to port 0, read it back, release it). */
export function freePort(host = '127.0.0.1'): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.once('error', reject);
    server.listen({ port: 0, host }, () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

export class PortInUseError extends Error {
  constructor(
    readonly name_: string,
    readonly port: number,
    readonly host: string,
  ) {
    super(`port ${port} on ${host} (${name_}) is already in use; choose another with --${name_}`);
    this.name = 'PortInUseError';
  }
}

export interface PortChoice {
  port: number;
  /** True when the default was taken and another free port was picked instead. */
  fellBack: boolean;
  requested: number;
}

/**
 * An explicitly requested port must be free (a clear error otherwise); a default that is taken
 * (a broker already on 1883 is common) is replaced by a free one, and the caller says so.
 */
export async function choosePort(options: {
  option: string;
  requested: number;
  explicit: boolean;
  host: string;
  taken?: ReadonlySet<number>;
}): Promise<PortChoice> {
  const { option, requested, explicit, host } = options;
  const taken = options.taken ?? new Set<number>();
  if (!taken.has(requested) && (await isPortFree(requested, host))) {
    return { port: requested, fellBack: false, requested };
  }
  if (explicit) throw new PortInUseError(option, requested, host);
  for (;;) {
    const port = await freePort(host);
    if (!taken.has(port)) return { port, fellBack: true, requested };
  }
}
