/** Starting the benchmark's worker threads and waiting for what they say, always bounded. */
import { extname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';

const HERE = fileURLToPath(import.meta.url);
/** The workers are siblings of this file: .js in dist/, .ts under tsx (tests). */
const workerUrl = (name: string) => new URL(`./${name}${extname(HERE)}`, import.meta.url);

export function spawnWorker(name: string, workerData: unknown): Worker {
  const url = workerUrl(name);
  if (extname(HERE) !== '.ts') return new Worker(url, { workerData });
  // Under tsx (the tests), a worker inherits neither its hooks nor its --import (tsx issue
  // #354): a small bootstrap registers tsx in the worker, then loads the .ts entry.
  const api = import.meta.resolve('tsx/esm/api');
  const bootstrap = `import(${JSON.stringify(api)}).then((m) => { m.register(); return import(${JSON.stringify(url.href)}); });`;
  return new Worker(bootstrap, { eval: true, workerData });
}

/** Waits for the first message of one of `types`; a worker error or `failed` rejects. */
export function next<T extends { type: string }>(
  worker: Worker,
  types: string[],
  timeoutMs: number,
  what: string,
): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => {
      cleanup();
      reject(new Error(`${what}: no answer in ${timeoutMs} ms`));
    }, timeoutMs);
    const onMessage = (m: T) => {
      if (m.type === 'failed') {
        cleanup();
        reject(new Error(`${what}: ${(m as unknown as { message: string }).message}`));
      } else if (types.includes(m.type)) {
        cleanup();
        resolve(m);
      }
    };
    const onError = (error: Error) => {
      cleanup();
      reject(new Error(`${what}: ${error.message}`));
    };
    const cleanup = () => {
      clearTimeout(timer);
      worker.off('message', onMessage);
      worker.off('error', onError);
    };
    worker.on('message', onMessage);
    worker.on('error', onError);
  });
}
