/**
 * The top of a tree: when the root supervisor gives up, the process exits non-zero so that
 * systemd (or whoever started it) restarts it; SIGINT and SIGTERM stop the tree cleanly.
 */
import type { Logger } from '../../lib/log.js';
import type { ChildHandle } from './types.js';
import { errorText } from './types.js';

export interface TopLevelOptions {
  logger: Logger;
  /** Exit code after an escalation (default 1). */
  failureExitCode?: number;
  /** Called for the final exit; injected so tests can observe it (default process.exit). */
  exit?: (code: number) => void;
  /** Install SIGINT and SIGTERM handlers that stop the root (default true). */
  handleSignals?: boolean;
}

export function runAsTopLevel(root: ChildHandle, options: TopLevelOptions): void {
  const exit = options.exit ?? ((code: number) => process.exit(code));
  let stopping = false;
  root.done.then(
    () => exit(0),
    (error: unknown) => {
      options.logger.fatal({ err: errorText(error) }, 'supervision tree gave up; exiting');
      exit(options.failureExitCode ?? 1);
    },
  );
  if (options.handleSignals === false) return;
  const onSignal = (signal: NodeJS.Signals) => {
    if (stopping) return;
    stopping = true;
    options.logger.info({ signal }, 'stopping');
    void root.stop();
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
}
