/** startNodeRed's lifecycle: a failed start names Node-RED's own words; a crash rejects `done`. */
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { startNodeRed } from '../../flows/launch.js';
import { silentLogger } from '../../lib/log.js';
import { freePort } from '../../lib/ports.js';
import { startTestBroker, type TestBroker } from '../helpers/broker.js';

const test = suite<{ broker: TestBroker; dataDir: string }>('launcher: start, crash, stop');

test.before(async (ctx) => {
  ctx.dataDir = mkdtempSync(join(tmpdir(), 'fs-launch-'));
  ctx.broker = await startTestBroker();
});
test.after(async (ctx) => {
  await ctx.broker.close();
  rmSync(ctx.dataDir, { recursive: true, force: true });
});

const options = (ctx: { broker: TestBroker; dataDir: string }, port: number) => ({
  host: '127.0.0.1',
  port,
  dataDir: ctx.dataDir,
  mqtt: { url: ctx.broker.url },
  logger: silentLogger(),
});

test('a port already taken: the start rejects with the last lines Node-RED printed', async (ctx) => {
  const port = await freePort();
  // Accepts and holds connections, like any other program on the port would.
  const held = new Set<Socket>();
  const blocker: Server = createServer((socket) => {
    held.add(socket);
    socket.on('close', () => held.delete(socket));
  });
  await new Promise<void>((resolve) => blocker.listen(port, '127.0.0.1', resolve));
  try {
    await startNodeRed(options(ctx, port)).then(
      () => assert.unreachable('started on a taken port'),
      (error: Error) => {
        assert.match(error.message, /^Node-RED did not start: exited/);
        assert.match(error.message, /port in use/);
      },
    );
  } finally {
    for (const socket of held) socket.destroy();
    await new Promise<void>((resolve) => blocker.close(() => resolve()));
  }
});

test('a crash after start rejects `done`; a stop resolves it', async (ctx) => {
  const crashed = await startNodeRed(options(ctx, await freePort()));
  process.kill(crashed.pid, 'SIGKILL');
  await crashed.done.then(
    () => assert.unreachable('done resolved after a crash'),
    (error: Error) => assert.match(error.message, /^Node-RED exited \(SIGKILL\)/),
  );
  const stopped = await startNodeRed(options(ctx, await freePort()));
  await stopped.stop();
  await stopped.done;
  assert.is(
    (await fetch(stopped.url).catch(() => undefined))?.status,
    undefined,
    'nothing listens any more',
  );
});

test.run();
