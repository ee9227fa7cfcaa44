/** Structured logs (pino). One root logger per process; parts take a child with their name. */
import { type Logger, pino } from 'pino';

export type { Logger };

export function createLogger(
  options: { name: string; level?: string; pretty?: boolean } = { name: 'fullstack' },
): Logger {
  return pino({
    name: options.name,
    level: options.level ?? process.env.FULLSTACK_LOG_LEVEL ?? 'info',
  });
}

/** A logger that drops everything, for tests that assert on behaviour rather than logs. */
export function silentLogger(): Logger {
  return pino({ level: 'silent' });
}
