/**
 * Logs of `fullstack up`: everything as JSON lines in <data>/logs/fullstack.log (for `jq` and
 * support). The terminal stays readable: it gets only the human messages (`FullStack ready`,
 * port fallbacks, crashes and restarts, errors), and each error message names the log file.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { pino } from 'pino';
import type { Logger } from '../../lib/log.js';

export function upLogger(dataDir: string): { logger: Logger; file: string } {
  const dir = join(dataDir, 'logs');
  mkdirSync(dir, { recursive: true });
  const file = join(dir, 'fullstack.log');
  const level = process.env.FULLSTACK_LOG_LEVEL ?? 'info';
  const logger = pino(
    { name: 'fullstack', level },
    pino.destination({ dest: file, append: true, sync: false, mkdir: true }),
  );
  return { logger, file };
}
