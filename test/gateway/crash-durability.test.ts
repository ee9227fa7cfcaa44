import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import type { TelemetryBatch } from '../../contract/index.js';
import { processChild } from '../../gateway/supervisor/process-child.js';
import { freePort } from '../../lib/ports.js';
import {
  birth,
  connect,
  gatedUpstream,
  listener,
  publish,
  reading,
  tempDir,
} from './gateway-helpers.js';

const test = suite('gateway: kill -9 mid-stream loses no acknowledged reading');

const fixture = new URL('./fixtures/gateway-process.ts', import.meta.url).pathname;

async function gatewayProcess(options: object) {
  return processChild({
    id: 'gateway',
    command: process.execPath,
    args: ['--import', 'tsx', fixture, JSON.stringify(options)],
    ready: (line) => line.startsWith('READY'),
    readyTimeoutMs: 30_000,
  });
}

test('every reading the gateway PUBACKed before SIGKILL reaches the backend after a restart', async () => {
  const dir = tempDir();
  const upstream = await gatedUpstream();
  upstream.open();
  const backend = await listener(upstream.url, ['fs/gw/v1/local/telemetry'], {
    clientId: 'backend',
    clean: false,
  });
  const mqttPort = await freePort();
  const httpPort = await freePort();
  const options = { dataDir: dir.path, mqttPort, httpPort, upstream: { url: upstream.url } };
  let gw = await gatewayProcess(options);
  const acked = new Set<number>();
  try {
    const dev = await connect(`mqtt://127.0.0.1:${mqttPort}`, { clientId: 'dev-k' });
    await publish(dev, 'fs/v1/dev-k/status', birth(), true);
    let seq = 0;
    let killed = false;
    // Keep 20 publishes in flight, as a device with a send window would.
    const sender = async () => {
      while (!killed) {
        seq += 1;
        const mine = seq;
        try {
          await publish(dev, 'fs/v1/dev-k/telemetry', reading(mine, mine));
          acked.add(mine);
        } catch {
          return; // the connection died with this publish unacknowledged: not promised
        }
      }
    };
    const senders = Array.from({ length: 20 }, sender);
    while (acked.size < 500) await new Promise((r) => setTimeout(r, 5));
    process.kill(gw.pid, 'SIGKILL');
    killed = true;
    await gw.done.catch(() => undefined);
    dev.end(true);
    await Promise.all(senders);
    const promised = [...acked];
    assert.ok(promised.length >= 500);

    gw = await gatewayProcess(options);
    const received = await backend.until(
      () => {
        const got = new Set(
          backend.messages
            .flatMap((m) => (m.body as TelemetryBatch).items)
            .filter((i) => i.device === 'dev-k')
            .map((i) => i.seq),
        );
        return promised.every((s) => got.has(s)) ? got : undefined;
      },
      30_000,
      'every acknowledged reading upstream',
    );
    const missing = promised.filter((s) => !received.has(s));
    assert.equal(missing, []);
  } finally {
    await gw.stop();
    await backend.close();
    await upstream.close();
    dir.remove();
  }
});

test.run();
