/**
 * Runs the firmware budget (bench/firmware-budget.ts) in a worker thread: it runs bundles in
 * the Espruino sandbox, and a bundle that throws in a socket callback must end this worker,
 * not the benchmark with all its figures.
 */
import { parentPort } from 'node:worker_threads';
import { runFirmwareBudget } from './firmware-budget.js';

export type FromFirmwareWorker =
  | { type: 'log'; line: string }
  | { type: 'done'; figures: Record<string, number> }
  | { type: 'failed'; message: string };

const port = parentPort;
if (!port) throw new Error('firmware-worker.ts runs only as a worker thread');
const post = (message: FromFirmwareWorker) => port.postMessage(message);

runFirmwareBudget((line) => post({ type: 'log', line })).then(
  (figures) => post({ type: 'done', figures }),
  (error: Error) => post({ type: 'failed', message: error.stack ?? error.message }),
);
