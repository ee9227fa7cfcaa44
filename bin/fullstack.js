#!/usr/bin/env node
// The `fullstack` command. The CLI is TypeScript compiled into dist/ by `npm run build`
// (which `npm ci` runs through the prepare script).
import { existsSync } from 'node:fs';

const entry = new URL('../dist/cli/main.js', import.meta.url);
if (!existsSync(entry)) {
  console.error('fullstack: dist/cli/main.js is missing; run `npm run build` (or `npm ci`) first.');
  process.exit(1);
}
await import(entry.href);
