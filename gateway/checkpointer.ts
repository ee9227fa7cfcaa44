/**
 * WAL checkpoints in a worker thread. SQLite's automatic checkpoint runs inside the commit
 * that crosses 1,000 pages, on the event loop: copying the log into the database and two
 * syncs, several milliseconds that every device waiting for a PUBACK felt (the 99th
 * percentile). Here the gateway's connections have automatic checkpoints off and a worker
 * with its own connection (synchronous FULL: it syncs the log before copying and the
 * database after) runs a passive checkpoint every `intervalMs`, which never blocks a writer.
 * If the log still grows past `restartBytes` (a passive checkpoint cannot finish while
 * commits keep coming), it runs one RESTART checkpoint, which waits for the writer once, so
 * that the next commit starts the log from its beginning again.
 */
import { statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';
import type { Logger } from '../lib/log.js';

export interface CheckpointerOptions {
  dbPath: string;
  intervalMs?: number;
  restartBytes?: number;
  log: Logger;
  /** Each checkpoint's mode and duration (for /metrics). */
  observe?: (mode: 'PASSIVE' | 'RESTART', ms: number) => void;
}

/** The worker's code: plain JavaScript, so it runs the same from dist/ and under tsx. */
const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const { statSync } = require('node:fs');
const Database = require(workerData.driver);
const db = new Database(workerData.dbPath);
db.pragma('busy_timeout = 5000');
db.pragma('synchronous = FULL');
db.pragma('wal_autocheckpoint = 0');
const walSize = () => {
  try {
    return statSync(workerData.dbPath + '-wal').size;
  } catch {
    return 0;
  }
};
const run = (mode) => {
  const t0 = performance.now();
  db.pragma('wal_checkpoint(' + mode + ')');
  parentPort.postMessage({ type: 'checkpoint', mode, ms: performance.now() - t0 });
};
const checkpoint = () => {
  try {
    run('PASSIVE');
    if (walSize() > workerData.restartBytes) run('RESTART');
  } catch (error) {
    parentPort.postMessage({ type: 'error', message: error.message });
  }
};
const timer = setInterval(checkpoint, workerData.intervalMs);
parentPort.on('message', (message) => {
  if (message !== 'stop') return;
  clearInterval(timer);
  checkpoint();
  db.close();
  parentPort.postMessage({ type: 'stopped' });
  parentPort.close();
});
parentPort.postMessage({ type: 'ready' });
`;

export class Checkpointer {
  private readonly worker: Worker;
  private readonly ready: Promise<void>;
  private stopped: Promise<void> | undefined;

  constructor(options: CheckpointerOptions) {
    const driver = createRequire(import.meta.url).resolve('better-sqlite3');
    this.worker = new Worker(WORKER_SOURCE, {
      eval: true,
      workerData: {
        driver,
        dbPath: options.dbPath,
        intervalMs: options.intervalMs ?? 200,
        restartBytes: options.restartBytes ?? 32 * 1024 * 1024,
      },
    });
    this.ready = new Promise((resolve, reject) => {
      this.worker.once('error', reject);
      this.worker.on(
        'message',
        (m: { type: string; message?: string; mode?: string; ms?: number }) => {
          if (m.type === 'ready') resolve();
          else if (m.type === 'checkpoint')
            options.observe?.(m.mode as 'PASSIVE' | 'RESTART', m.ms ?? 0);
          else if (m.type === 'error')
            options.log.warn({ err: m.message }, 'WAL checkpoint failed');
        },
      );
    });
    this.worker.on('error', (error) =>
      options.log.error({ err: error.message }, 'the WAL checkpoint worker failed'),
    );
  }

  /** Resolves once the worker has its connection. */
  started(): Promise<void> {
    return this.ready;
  }

  /** A last checkpoint, then the worker's connection closes. */
  stop(): Promise<void> {
    this.stopped ??= new Promise<void>((resolve) => {
      this.worker.once('exit', () => resolve());
      this.worker.on('message', (m: { type: string }) => {
        if (m.type === 'stopped') void this.worker.terminate();
      });
      this.worker.postMessage('stop');
    });
    return this.stopped;
  }
}

/** Bytes in the WAL file now (0 if there is none): for tests and /health. */
export function walBytes(dbPath: string): number {
  try {
    return statSync(`${dbPath}-wal`).size;
  } catch {
    return 0;
  }
}
