/** Stopping one child within its shutdown time: the supervisor moves on either way. */
import type { Clock } from '../../lib/clock.js';
import type { ChildHandle } from './types.js';

export type StopOutcome =
  | { kind: 'stopped' }
  | { kind: 'timeout' }
  | { kind: 'failed'; error: unknown };

export async function stopWithin(
  handle: ChildHandle,
  shutdownMs: number,
  clock: Clock,
): Promise<StopOutcome> {
  let timer: ReturnType<Clock['setTimeout']> | undefined;
  const timeout = new Promise<StopOutcome>((resolve) => {
    timer = clock.setTimeout(() => resolve({ kind: 'timeout' }), shutdownMs);
  });
  try {
    return await Promise.race([
      handle.stop().then((): StopOutcome => ({ kind: 'stopped' })),
      timeout,
    ]);
  } catch (error) {
    return { kind: 'failed', error };
  } finally {
    clock.clearTimeout(timer);
  }
}
