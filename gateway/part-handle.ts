/** Small helpers the tree's children share: a handle for in-process parts, order checks. */
import type { ChildHandle } from './supervisor/types.js';

export function need<T>(value: T | undefined, what: string): T {
  if (value === undefined) throw new Error(`${what} is not running (a child started out of order)`);
  return value;
}

/** A ChildHandle for an in-process part: done settles only when stop() has run. */
export function handle(stop: () => Promise<void> | void): ChildHandle & { crash(e: Error): void } {
  let resolve!: () => void;
  let reject!: (e: Error) => void;
  const done = new Promise<void>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return {
    done,
    crash: reject,
    stop: async () => {
      await stop();
      resolve();
    },
  };
}

export function urlHost(host: string): string {
  if (host === '0.0.0.0' || host === '::') return '127.0.0.1';
  return host.includes(':') ? `[${host}]` : host;
}
