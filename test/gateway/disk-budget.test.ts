import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { readDeadLetters } from '../../cli/commands/deadletters.js';
import { freePort } from '../../lib/ports.js';
import { device, end, publish, reading, testGateway, waitFor } from './gateway-helpers.js';

const test = suite('gateway: upstream down, the disk budget holds (drop-oldest, reject-new)');

/** An upstream nobody listens on: the forwarder keeps retrying, nothing drains. */
async function deadUpstream(): Promise<string> {
  return `mqtt://127.0.0.1:${await freePort()}`;
}

test('drop-oldest keeps accepting within the budget and counts what it dropped', async () => {
  const gw = await testGateway({
    upstream: { url: await deadUpstream() },
    settings: { outbox: { budgetBytes: 4096, policy: 'drop-oldest' } },
  });
  try {
    const dev = await device(gw.mqttUrl, 'budget-1');
    for (let seq = 1; seq <= 100; seq++)
      await publish(dev, 'fs/v1/budget-1/telemetry', reading(seq));
    assert.ok((gw.parts.outbox?.sizeBytes() ?? 0) <= 4096);
    const kept = gw.parts.outbox?.depth() ?? 0;
    const metrics = await (await fetch(`${gw.httpUrl}/metrics`)).text();
    const dropped = Number(
      /fs_gateway_outbox_dropped_total\{policy="drop-oldest"\} (\d+)/.exec(metrics)?.[1],
    );
    assert.is(
      kept + dropped,
      100,
      `every reading is kept (${kept}) or counted as dropped (${dropped})`,
    );
    await end(dev);
  } finally {
    await gw.cleanup();
  }
});

test('reject-new refuses without PUBACK once full: the device is disconnected and keeps its reading', async () => {
  const gw = await testGateway({
    upstream: { url: await deadUpstream() },
    settings: { outbox: { budgetBytes: 2048, policy: 'reject-new' } },
  });
  try {
    const dev = await device(gw.mqttUrl, 'budget-2');
    let acked = 0;
    let refused: string | undefined;
    // The refused publish's callback never comes (MQTT.js keeps it for a reconnect): the
    // connection closing is the answer.
    const closed = new Promise<string>((resolve) =>
      dev.once('close', () => resolve('connection closed')),
    );
    for (let seq = 1; seq <= 100 && !refused; seq++) {
      const outcome = await Promise.race([
        publish(dev, 'fs/v1/budget-2/telemetry', reading(seq)).then(() => 'acked'),
        closed,
      ]);
      if (outcome === 'acked') acked += 1;
      else refused = outcome;
    }
    assert.ok(refused, 'a publish went unacknowledged');
    assert.is(gw.parts.outbox?.depth(), acked, 'exactly the acknowledged readings are kept');
    await waitFor(() => !dev.connected, 5000, 'the device disconnected');
    const letters = readDeadLetters(gw.dir, { device: 'budget-2', reason: 'outbox-full' });
    assert.is(letters.length, 1);
    assert.match(
      letters[0]?.detail ?? '',
      /outbox is full \(budget 2048 bytes, policy reject-new\)/,
    );
    const metrics = await (await fetch(`${gw.httpUrl}/metrics`)).text();
    assert.match(metrics, /fs_gateway_outbox_dropped_total\{policy="reject-new"\} 1/);
    dev.end(true);
  } finally {
    await gw.cleanup();
  }
});

test.run();
