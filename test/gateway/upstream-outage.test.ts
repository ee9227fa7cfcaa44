import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import type { TelemetryBatch } from '../../contract/index.js';
import {
  device,
  end,
  gatedUpstream,
  listener,
  publish,
  reading,
  testGateway,
  waitFor,
} from './gateway-helpers.js';

const test = suite('gateway: the upstream broker down for 60 s under load');

const OUTAGE_MS = 60_000;

test('nothing is lost, the backlog drains after, in order per device, while live data flows', async () => {
  let upstream = await gatedUpstream();
  upstream.open();
  const port = upstream.port;
  const gw = await testGateway({
    upstream: { url: upstream.url },
    settings: { forwarder: { reconnectMs: 200 } },
  });
  let backend = await listener(upstream.url, ['fs/gw/v1/local/telemetry'], {
    clientId: 'backend-1',
  });
  const devices = await Promise.all(
    ['out-1', 'out-2', 'out-3'].map((id) => device(gw.mqttUrl, id)),
  );
  const sent = new Map<string, number>(devices.map((_, i) => [`out-${i + 1}`, 0]));
  let running = true;
  // Each device sends 20 readings a second, awaiting each PUBACK, for the whole test.
  const loops = devices.map(async (client, i) => {
    const id = `out-${i + 1}`;
    while (running) {
      const seq = (sent.get(id) ?? 0) + 1;
      await publish(client, `fs/v1/${id}/telemetry`, reading(seq, seq));
      sent.set(id, seq);
      await new Promise((r) => setTimeout(r, 50));
    }
  });
  try {
    await backend.until(() => backend.messages.length > 0, 10_000, 'first batch upstream');
    // The broker goes down under the backend too: whatever it acknowledged, the backend has.
    await upstream.close();
    const downAt = Date.now();
    await backend.close();
    const before = backend.messages.flatMap((m) => (m.body as TelemetryBatch).items);
    await waitFor(
      () => gw.parts.forwarder?.upstreamState() !== 'connected',
      5000,
      'forwarder notices',
    );
    while (Date.now() - downAt < OUTAGE_MS) await new Promise((r) => setTimeout(r, 500));
    const depthDuringOutage = gw.parts.outbox?.depth() ?? 0;
    const health = (await (await fetch(`${gw.httpUrl}/health`)).json()) as {
      status: string;
      upstream: { state: string };
    };
    assert.is(health.status, 'degraded');
    assert.ok(
      depthDuringOutage > (OUTAGE_MS / 1000) * 30,
      `the outbox held the readings (${depthDuringOutage})`,
    );

    // Back up on the same port; subscribe before the forwarder may reconnect.
    upstream = await gatedUpstream(port);
    backend = await listener(upstream.url, ['fs/gw/v1/local/telemetry'], { clientId: 'backend-2' });
    upstream.open();
    await new Promise((r) => setTimeout(r, 2000)); // live data keeps flowing during the drain
    running = false;
    await Promise.all(loops);
    const after = await backend.until(
      () => {
        const items = backend.messages.flatMap((m) => (m.body as TelemetryBatch).items);
        const all = [...before, ...items];
        const complete = [...sent].every(
          ([id, n]) => new Set(all.filter((i) => i.device === id).map((i) => i.seq)).size === n,
        );
        return complete ? items : undefined;
      },
      60_000,
      'the whole backlog upstream',
    );
    for (const [id, n] of sent) {
      const seqs = [...before, ...after].filter((i) => i.device === id).map((i) => i.seq);
      const unique = [...new Set(seqs)];
      assert.equal(
        unique,
        Array.from({ length: n }, (_, k) => k + 1),
        `${id}: every reading, in order`,
      );
    }
    await waitFor(() => gw.parts.outbox?.depth() === 0, 10_000, 'outbox empty');
    await backend.close();
  } finally {
    running = false;
    await Promise.all(devices.map((d) => end(d, true)));
    await gw.cleanup();
    await upstream.close();
  }
});

test.run();
