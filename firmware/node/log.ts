/** The core's RuntimeLog over a pino logger. */
import type { Logger } from '../../lib/log.js';
import type { RuntimeLog } from '../core/types.js';

export function pinoRuntimeLog(logger: Logger): RuntimeLog {
  return {
    log(level, message, data) {
      if (data) logger[level](data, message);
      else logger[level](message);
    },
  };
}
