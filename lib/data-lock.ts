/**
 * One running FullStack per data dir. Two gateways sharing one outbox, one Node-RED user dir and
 * one credentials file would corrupt each other's view (presence, dedupe floors), so the second
 * one is refused, naming the first. The lock is a pid file; a file left by a process that died
 * (a SIGKILL, a power cut) is stale and taken over.
 */
import { mkdirSync, readFileSync, unlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export interface LockHolder {
  pid: number;
  command: string;
  since: number;
}

export class DataDirInUseError extends Error {
  constructor(
    readonly dataDir: string,
    readonly holder: LockHolder,
  ) {
    super(
      `data dir ${dataDir} is in use by \`fullstack ${holder.command}\` (pid ${holder.pid}, since ${new Date(holder.since).toISOString()}); stop it first, or use another --data-dir`,
    );
    this.name = 'DataDirInUseError';
  }
}

export function lockPath(dataDir: string): string {
  return join(dataDir, 'fullstack.pid');
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: the process exists but belongs to someone else; it is alive all the same.
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** The live process holding the data dir, if any (a stale pid file counts as none). */
export function lockHolder(dataDir: string): LockHolder | undefined {
  let text: string;
  try {
    text = readFileSync(lockPath(dataDir), 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
  let holder: Partial<LockHolder>;
  try {
    holder = JSON.parse(text) as Partial<LockHolder>;
  } catch {
    // A half-written or foreign file: nobody can be holding the lock through it.
    return undefined;
  }
  if (typeof holder.pid !== 'number' || !alive(holder.pid)) return undefined;
  return {
    pid: holder.pid,
    command: String(holder.command ?? '?'),
    since: Number(holder.since ?? 0),
  };
}

/** Takes the data dir for this process; throws DataDirInUseError if a live process holds it. */
export function acquireDataDirLock(dataDir: string, command: string): { release(): void } {
  mkdirSync(dataDir, { recursive: true });
  const path = lockPath(dataDir);
  const mine: LockHolder = { pid: process.pid, command, since: Date.now() };
  for (let attempt = 0; ; attempt++) {
    try {
      writeFileSync(path, JSON.stringify(mine), { flag: 'wx' });
      break;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      const holder = lockHolder(dataDir);
      if (holder) throw new DataDirInUseError(dataDir, holder);
      if (attempt > 0) throw error;
      unlinkSync(path); // stale: its process is gone
    }
  }
  let released = false;
  const release = () => {
    if (released) return;
    released = true;
    if (lockHolder(dataDir)?.pid === process.pid) unlinkSync(path);
  };
  process.once('exit', release);
  return { release };
}
