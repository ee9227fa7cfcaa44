/** Board profiles and the firmware id, read from the repository's data files. */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import type { BoardProfile } from '../../hardware/config/types.js';
import { repoPath } from '../../lib/paths.js';

export function loadBoardProfile(id: string): BoardProfile {
  const dir = repoPath('hardware', 'boards', 'profiles');
  const path = `${dir}/${id}.json`;
  if (!/^[a-z0-9-]+$/.test(id) || !existsSync(path)) {
    const known = existsSync(dir)
      ? readdirSync(dir)
          .filter((f) => f.endsWith('.json'))
          .map((f) => f.slice(0, -5))
      : [];
    throw new Error(`board: "${id}" is not a known board profile (known: ${known.join(', ')})`);
  }
  return JSON.parse(readFileSync(path, 'utf8')) as BoardProfile;
}

/** "fullstack/<package version>", the `fw` of every birth message. */
export function firmwareId(): string {
  const pkg = JSON.parse(readFileSync(repoPath('package.json'), 'utf8')) as { version: string };
  return `fullstack/${pkg.version}`;
}
