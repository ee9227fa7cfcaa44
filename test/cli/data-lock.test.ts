import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import {
  acquireDataDirLock,
  DataDirInUseError,
  lockHolder,
  lockPath,
} from '../../lib/data-lock.js';

const dir = mkdtempSync(join(tmpdir(), 'fs-lock-'));
test.after(() => rmSync(dir, { recursive: true, force: true }));

test('a live holder is named; the second taker is refused', async () => {
  // Another process holds the lock: a child that takes it and waits.
  const holder = spawn(
    process.execPath,
    [
      '--import',
      'tsx',
      '-e',
      `import('${new URL('../../lib/data-lock.ts', import.meta.url).href}').then((m) => { m.acquireDataDirLock(${JSON.stringify(dir)}, 'up'); console.log('held'); setTimeout(() => {}, 60000); })`,
    ],
    { stdio: ['ignore', 'pipe', 'inherit'] },
  );
  try {
    await new Promise<void>((resolve) => holder.stdout.once('data', () => resolve()));
    const error = (() => {
      try {
        acquireDataDirLock(dir, 'gateway');
        return undefined;
      } catch (e) {
        return e;
      }
    })();
    assert.instance(error, DataDirInUseError);
    assert.match(
      (error as Error).message,
      new RegExp(`in use by \`fullstack up\` \\(pid ${holder.pid}`),
    );
    assert.is(lockHolder(dir)?.pid, holder.pid);
  } finally {
    holder.kill('SIGKILL');
    await new Promise((resolve) => holder.once('exit', resolve));
  }
});

test('a lock left by a dead process is stale and taken over, then released', () => {
  writeFileSync(lockPath(dir), JSON.stringify({ pid: 2 ** 22 + 12345, command: 'up', since: 1 }));
  assert.is(lockHolder(dir), undefined);
  const lock = acquireDataDirLock(dir, 'up');
  assert.is(lockHolder(dir)?.pid, process.pid);
  lock.release();
  assert.not.ok(existsSync(lockPath(dir)));
});

test('a garbled pid file holds nothing', () => {
  writeFileSync(lockPath(dir), 'not json');
  assert.is(lockHolder(dir), undefined);
  acquireDataDirLock(dir, 'up').release();
});

test.run();
