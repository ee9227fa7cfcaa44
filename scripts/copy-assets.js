#!/usr/bin/env node
// tsc compiles only TypeScript; Node-RED needs each node's .html (and its package.json,
// examples and icons) next to the compiled .js. This copies those assets into dist/.
import { cpSync, existsSync, readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const ASSET = /\.(html|json|svg|png|cjs|py)$/;
const SOURCES = ['flows', 'hardware', 'firmware', 'gateway'];

function copyAssets(dir) {
  if (!existsSync(dir)) return;
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) copyAssets(path);
    else if (ASSET.test(name)) cpSync(path, join(root, 'dist', relative(root, path)));
  }
}

for (const source of SOURCES) copyAssets(join(root, source));
