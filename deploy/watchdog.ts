/**
 * The systemd watchdog for a FullStack process started by a unit with `Type=notify` and
 * `WatchdogSec` (`fullstack install --watchdog`): tells systemd it is ready, then pings at half
 * the interval for as long as `healthy()` holds, so that a hung process (event loop stuck,
 * supervisor given up) is restarted by systemd. Node cannot send to the notify socket (a Unix
 * datagram socket) itself, so it runs `systemd-notify`, which the unit's NotifyAccess=all lets
 * speak for the service. Without NOTIFY_SOCKET (not under systemd) it does nothing.
 */
import { execFile } from 'node:child_process';
import type { Clock, TimerId } from '../lib/clock.js';

export interface WatchdogContext {
  env: NodeJS.ProcessEnv;
  clock: Clock;
  healthy(): boolean;
  /** Runs systemd-notify with these arguments (injected for tests). */
  notify?(args: string[]): void;
}

const defaultNotify = (args: string[]) => {
  execFile('systemd-notify', args, (error) => {
    if (error) process.emitWarning(`systemd-notify ${args.join(' ')} failed: ${error.message}`);
  });
};

/** Returns a stop function. */
export function startSystemdWatchdog(ctx: WatchdogContext): () => void {
  if (!ctx.env.NOTIFY_SOCKET) return () => undefined;
  const notify = ctx.notify ?? defaultNotify;
  notify(['--ready']);
  const usec = Number(ctx.env.WATCHDOG_USEC);
  if (!Number.isFinite(usec) || usec <= 0) return () => undefined;
  const timer: TimerId = ctx.clock.setInterval(
    () => {
      if (ctx.healthy()) notify(['WATCHDOG=1']);
    },
    usec / 1000 / 2,
  );
  // The pings must not keep a stopping process alive.
  (timer as { unref?: () => void }).unref?.();
  return () => ctx.clock.clearInterval(timer);
}
