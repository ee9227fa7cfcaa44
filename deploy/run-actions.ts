/** Carries out install steps on this machine (as root). */
import { execFileSync } from 'node:child_process';
import { chownSync, copyFileSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import type { Action } from './actions.js';
import { describeAction } from './actions.js';

function ids(user: string): { uid: number; gid: number } {
  const uid = Number(execFileSync('id', ['-u', user], { encoding: 'utf8' }).trim());
  const gid = Number(execFileSync('id', ['-g', user], { encoding: 'utf8' }).trim());
  return { uid, gid };
}

export function runAction(action: Action): void {
  switch (action.kind) {
    case 'run':
      try {
        execFileSync(action.argv[0]!, action.argv.slice(1), { stdio: 'inherit' });
      } catch (error) {
        if (!action.okIfFails)
          throw new Error(`\`${action.argv.join(' ')}\` failed (${(error as Error).message})`);
      }
      return;
    case 'mkdir': {
      mkdirSync(action.path, { recursive: true, mode: action.mode });
      if (action.owner) {
        const { uid, gid } = ids(action.owner);
        chownSync(action.path, uid, gid);
      }
      return;
    }
    case 'copy':
      copyFileSync(action.from, action.to);
      return;
    case 'write':
      writeFileSync(action.path, action.content, { mode: action.mode });
      return;
    case 'remove':
      rmSync(action.path, { force: true, recursive: action.recursive ?? false });
      return;
  }
}

export function runActions(actions: readonly Action[], log: (line: string) => void): void {
  for (const action of actions) {
    log(describeAction(action).split('\n')[action.kind === 'run' ? 1 : 0]!);
    runAction(action);
  }
}
