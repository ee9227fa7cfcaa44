/**
 * Builds the FullStack Node-RED package into dist/flows/nodes: each node's adapter bundled by
 * esbuild into one self-contained CommonJS file (Node-RED loads nodes with require(), and the
 * project is ESM), next to the package.json, editor HTML, icons and examples copied from
 * flows/nodes. better-sqlite3 stays external: it is native, and the package depends on it.
 * The result installs into any Node-RED 4.x (`npm install <dir>` or a packed tarball).
 *
 * Run: `node dist/flows/build-nodes.js [outDir]` (part of `npm run build`).
 */
import { cpSync, existsSync, mkdirSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { build } from 'esbuild';
import { distPath, repoPath } from '../lib/paths.js';

/** Node type file name → adapter source. */
export const NODE_ENTRIES: Record<string, string> = {
  'fullstack-backend': 'backend-node.ts',
  'fullstack-in': 'in-node.ts',
  'fullstack-presence': 'presence-node.ts',
  'fullstack-command': 'command-node.ts',
  'fullstack-store': 'store-node.ts',
  'fullstack-history': 'history-node.ts',
  'fullstack-alerts': 'alerts-node.ts',
  'fullstack-api': 'api-node.ts',
  'fullstack-ota': 'ota-node.ts',
};

export async function buildNodePackage(outDir = distPath('flows', 'nodes')): Promise<string> {
  mkdirSync(outDir, { recursive: true });
  cpSync(repoPath('flows', 'nodes'), outDir, { recursive: true });
  await build({
    entryPoints: Object.fromEntries(
      Object.entries(NODE_ENTRIES).map(([name, file]) => [
        name,
        repoPath('flows', 'node-red', file),
      ]),
    ),
    outdir: outDir,
    bundle: true,
    platform: 'node',
    target: 'node20',
    format: 'cjs',
    external: ['better-sqlite3'],
    // Node-RED wants module.exports to be the register function, not {default: fn}.
    footer: { js: 'module.exports = module.exports.default;' },
    logLevel: 'warning',
    legalComments: 'none',
  });
  return outDir;
}

function newestMtime(dir: string): number {
  let newest = 0;
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    const stat = statSync(path);
    newest = Math.max(newest, stat.isDirectory() ? newestMtime(path) : stat.mtimeMs);
  }
  return newest;
}

/**
 * Builds the package into dist/ unless it is newer than every source it is made of. The
 * launcher calls this, so `fullstack up` has current nodes even when the tsc step of
 * `npm run build` stopped on a type error elsewhere in the project.
 */
export async function ensureNodePackage(outDir = distPath('flows', 'nodes')): Promise<string> {
  const marker = join(outDir, 'fullstack-backend.js');
  if (existsSync(marker)) {
    const built = statSync(marker).mtimeMs;
    const sources = Math.max(
      newestMtime(repoPath('flows', 'nodes')),
      newestMtime(repoPath('flows', 'node-red')),
      newestMtime(repoPath('flows', 'lib')),
      newestMtime(repoPath('contract')),
    );
    if (built >= sources) return outDir;
  }
  return buildNodePackage(outDir);
}

const invokedDirectly = process.argv[1]?.endsWith(join('flows', 'build-nodes.js'));
if (invokedDirectly) {
  const out = await buildNodePackage(process.argv[2]);
  console.log(`FullStack Node-RED package built in ${out}`);
}
