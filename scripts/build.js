#!/usr/bin/env node
// The build: tsc into dist/, then the assets tsc does not copy, then the Node-RED node bundles.
// The later steps run even when tsc reports type errors (tsc still emits: noEmitOnError is off),
// so that one half-finished file does not leave dist/ without its assets; the exit status is
// still tsc's, so a type error fails `npm run build` and `npm test`.
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const run = (command, args) =>
  spawnSync(command, args, { cwd: root, stdio: 'inherit' }).status ?? 1;

const tsc = run(process.execPath, [
  `${root}node_modules/typescript/bin/tsc`,
  '-p',
  'tsconfig.json',
]);
const assets = run(process.execPath, ['scripts/copy-assets.js']);
const nodes = assets === 0 ? run(process.execPath, ['dist/flows/build-nodes.js']) : 1;
process.exitCode = tsc || assets || nodes;
