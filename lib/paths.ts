/**
 * Paths inside the repository, the same from TypeScript sources (run with tsx) and from the
 * compiled copy in dist/: both find the root by walking up to this package's package.json.
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const PACKAGE_NAME = 'fullstack-iot';

function findRoot(start: string): string {
  let dir = start;
  for (;;) {
    const candidate = join(dir, 'package.json');
    if (existsSync(candidate)) {
      const { name } = JSON.parse(readFileSync(candidate, 'utf8')) as { name?: string };
      if (name === PACKAGE_NAME) return dir;
    }
    const parent = dirname(dir);
    if (parent === dir)
      throw new Error(`cannot find the ${PACKAGE_NAME} package root above ${start}`);
    dir = parent;
  }
}

export const REPO_ROOT = findRoot(dirname(fileURLToPath(import.meta.url)));

/** A path relative to the repository root, e.g. `repoPath('hardware', 'devices')`. */
export function repoPath(...segments: string[]): string {
  return join(REPO_ROOT, ...segments);
}

/** A compiled entry point in dist/, for spawning child processes: `distPath('gateway/main.js')`. */
export function distPath(...segments: string[]): string {
  return join(REPO_ROOT, 'dist', ...segments);
}
