/** The firmware id of every birth message. */
import { readFileSync } from 'node:fs';
import { repoPath } from '../../lib/paths.js';

/** "fullstack/<package version>". */
export function firmwareId(): string {
  const pkg = JSON.parse(readFileSync(repoPath('package.json'), 'utf8')) as { version: string };
  return `fullstack/${pkg.version}`;
}
