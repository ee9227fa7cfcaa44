import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { processChild } from '../../gateway/supervisor/process-child.js';

const test = suite('processChild');
const node = process.execPath;

/** Running, not a zombie: an orphan's zombie lingers where PID 1 does not reap (containers). */
function alive(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2)[0] !== 'Z';
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return false;
    throw error;
  }
}

test('start resolves on the ready line; stop (SIGTERM) is a normal exit', async () => {
  const child = await processChild({
    id: 'sleeper',
    command: node,
    args: ['-e', "console.log('booting'); console.log('READY now'); setInterval(() => {}, 1000)"],
    ready: (line) => line.startsWith('READY'),
  });
  assert.ok(alive(child.pid));
  await child.stop();
  await child.done;
  assert.not.ok(alive(child.pid));
});

test('a non-zero exit rejects done with the exit code', async () => {
  const child = await processChild({
    id: 'crasher',
    command: node,
    args: ['-e', "console.log('ok'); setTimeout(() => process.exit(3), 50)"],
    ready: (line) => line === 'ok',
  });
  try {
    await child.done;
    assert.unreachable('done should reject');
  } catch (error) {
    assert.match((error as Error).message, /crasher crashed \(exit code 3\)/);
  }
});

test('a child that ignores SIGTERM is killed after killTimeoutMs', async () => {
  const child = await processChild({
    id: 'stubborn',
    command: node,
    args: ['-e', "process.on('SIGTERM', () => {}); console.log('up'); setInterval(() => {}, 1000)"],
    ready: (line) => line === 'up',
    killTimeoutMs: 200,
  });
  await child.stop();
  assert.not.ok(alive(child.pid));
});

test('start rejects when the child exits before it is ready, or never says so', async () => {
  try {
    await processChild({
      id: 'early',
      command: node,
      args: ['-e', 'process.exit(2)'],
      ready: () => true,
    });
    assert.unreachable('start should reject');
  } catch (error) {
    assert.match((error as Error).message, /early exited before it was ready \(exit code 2\)/);
  }
  try {
    await processChild({
      id: 'mute',
      command: node,
      args: ['-e', 'setInterval(() => {}, 1000)'],
      ready: () => false,
      readyTimeoutMs: 300,
    });
    assert.unreachable('start should reject');
  } catch (error) {
    assert.match((error as Error).message, /mute printed no ready line within 300 ms/);
  }
  try {
    await processChild({ id: 'missing', command: '/nonexistent/binary', args: [] });
    assert.unreachable('start should reject');
  } catch (error) {
    assert.match((error as Error).message, /missing: cannot run \/nonexistent\/binary/);
  }
});

test('children are killed when the parent exits', async () => {
  // A parent that starts a child, prints its pid, then exits without stopping it.
  const script = `
    import { processChild } from ${JSON.stringify(new URL('../../gateway/supervisor/process-child.ts', import.meta.url).href)};
    const c = await processChild({ id: 'orphan', command: process.execPath, args: ['-e', 'setInterval(() => {}, 1000)'] });
    console.log(c.pid);
    process.exit(0);
  `;
  const parent = spawn(node, ['--import', 'tsx', '--input-type=module', '-e', script], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  let out = '';
  parent.stdout.on('data', (d) => {
    out += d;
  });
  await new Promise((resolve) => parent.once('exit', resolve));
  const pid = Number(out.trim());
  assert.ok(pid > 0, `parent printed a pid (got ${JSON.stringify(out)})`);
  await new Promise((r) => setTimeout(r, 200));
  assert.not.ok(alive(pid), 'the child did not outlive its parent');
});

test.run();
