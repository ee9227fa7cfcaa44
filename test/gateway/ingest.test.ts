import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { readDeadLetters } from '../../cli/commands/deadletters.js';
import type { TelemetryBatch } from '../../contract/index.js';
import {
  connect,
  device,
  end,
  listener,
  publish,
  reading,
  testGateway,
  waitFor,
} from './gateway-helpers.js';

const test = suite('gateway: ingest rejects bad input, a good device keeps flowing');

async function metrics(url: string): Promise<string> {
  return (await fetch(`${url}/metrics`)).text();
}

test('each bad input is rejected with its reason, counted, dead-lettered; the good device is unharmed', async () => {
  const gw = await testGateway({ settings: { ingest: { ratePerSecond: 50, burst: 20 } } });
  try {
    const backend = await listener(gw.mqttUrl, ['fs/gw/v1/local/telemetry'], gw.backend);
    const good = await device(gw.mqttUrl, 'good');
    const bad = await device(gw.mqttUrl, 'bad');
    let seq = 0;
    const goodSends: Promise<void>[] = [];
    const tick = setInterval(() => {
      seq += 1;
      goodSends.push(publish(good, 'fs/v1/good/telemetry', reading(seq)));
    }, 50); // 20 a second, well under its 50/s rate: the good device is never limited

    await publish(bad, 'fs/v1/bad/telemetry', 'this is not json');
    await publish(bad, 'fs/v1/bad/telemetry', {
      seq: 'one',
      boot: 1,
      ts: 1,
      readings: { temp: 1 },
    });
    await publish(bad, 'fs/v1/bad/telemetry', {
      seq: 1,
      boot: 1,
      ts: 1,
      readings: { humidity: 40 },
    });
    await publish(bad, 'fs/v1/bad/weather', { seq: 1 });
    await publish(bad, 'somewhere/else', 'hello');
    await publish(bad, 'fs/v1/bad/telemetry', {
      seq: 2,
      boot: 1,
      ts: 1,
      readings: { temp: 1 },
      pad: 'x'.repeat(20_000),
    });
    // A flood: far beyond 20 at once and 50/s.
    await Promise.all(
      Array.from({ length: 200 }, (_, i) => publish(bad, 'fs/v1/bad/telemetry', reading(100 + i))),
    );
    // Duplicates: the same (boot, seq) twice.
    await new Promise((r) => setTimeout(r, 1000)); // let the bucket refill (a rate, not a timing assertion)
    await publish(bad, 'fs/v1/bad/telemetry', reading(1000));
    await publish(bad, 'fs/v1/bad/telemetry', reading(1000));

    clearInterval(tick);
    await Promise.all(goodSends);
    const sent = seq;
    const goodSeqs = await backend.until(
      () => {
        const seqs = backend.messages
          .flatMap((m) => (m.body as TelemetryBatch).items)
          .filter((i) => i.device === 'good')
          .map((i) => i.seq);
        return seqs.length >= sent ? seqs : undefined;
      },
      10_000,
      'every good reading upstream',
    );
    assert.equal(
      goodSeqs,
      Array.from({ length: sent }, (_, i) => i + 1),
      'the good device lost nothing, in order',
    );

    const letters = readDeadLetters(gw.dir, { device: 'bad', limit: 1000 });
    const reasons = new Set<string>(letters.map((l) => l.reason));
    for (const reason of ['not-json', 'schema', 'unknown-sensor', 'topic', 'oversized', 'rate']) {
      assert.ok(
        reasons.has(reason),
        `a dead letter with reason ${reason} (got ${[...reasons].join(', ')})`,
      );
    }
    const schema = letters.find((l) => l.reason === 'schema');
    assert.match(schema?.detail ?? '', /seq/);
    assert.match(
      letters.find((l) => l.reason === 'rate')?.detail ?? '',
      /device bad sent more than its limit of 50 messages a second \(burst 20\)/,
    );
    const unknown = letters.find((l) => l.reason === 'unknown-sensor');
    assert.match(unknown?.detail ?? '', /"humidity" is not a sensor of device bad/);
    assert.is(
      readDeadLetters(gw.dir, { device: 'good' }).length,
      0,
      'nothing of the good device was rejected',
    );

    const text = await metrics(gw.httpUrl);
    assert.match(text, /fs_gateway_messages_rejected_total\{device="bad",reason="not-json"\} 1/);
    assert.match(text, /fs_gateway_messages_rejected_total\{device="bad",reason="topic"\} 2/);
    assert.match(text, /fs_gateway_messages_rejected_total\{device="bad",reason="rate"\} \d+/);
    assert.match(text, /fs_gateway_duplicates_total\{device="bad"\} 1/);
    const forwarded1000 = () =>
      backend.messages
        .flatMap((m) => (m.body as TelemetryBatch).items)
        .filter((i) => i.device === 'bad' && i.seq === 1000);
    await backend.until(() => forwarded1000().length > 0);
    assert.is(forwarded1000().length, 1, 'the duplicate was not forwarded');
    await Promise.all([end(good), end(bad), backend.close()]);
  } finally {
    await gw.cleanup();
  }
});

test('a birth in catalog form (an Espruino bundle) is expanded from the catalog; an unknown part is refused', async () => {
  const gw = await testGateway();
  try {
    const backend = await listener(gw.mqttUrl, ['fs/gw/v1/local/telemetry'], gw.backend);
    const porch = await connect(gw.mqttUrl, { clientId: 'porch' });
    await publish(
      porch,
      'fs/v1/porch/status',
      {
        online: true,
        ts: Date.now(),
        boot: 1,
        fw: 'fullstack/0.1.0',
        board: 'esp8266',
        parts: { env: 'bme280', motion: 'pir', light: 'relay' },
      },
      true,
    );
    await waitFor(() => gw.parts.presence?.get('porch')?.birth, 5000, 'the birth in presence');
    const expanded = gw.parts.presence?.get('porch')?.birth;
    assert.equal(
      expanded?.sensors.map((s) => [s.id, s.kind, s.unit]),
      [
        ['env_temperature', 'temperature', '°C'],
        ['env_humidity', 'humidity', '%'],
        ['env_pressure', 'pressure', 'hPa'],
        ['motion', 'motion', ''],
      ],
    );
    assert.equal(expanded?.actuators, [{ id: 'light', kind: 'relay' }]);
    await publish(porch, 'fs/v1/porch/telemetry', {
      seq: 1,
      boot: 1,
      ts: Date.now(),
      readings: { env_temperature: 21.5, motion: true },
    });
    await backend.until(() =>
      backend.messages.some((m) =>
        (m.body as TelemetryBatch).items.some((i) => i.device === 'porch' && i.seq === 1),
      ),
    );

    const odd = await connect(gw.mqttUrl, { clientId: 'odd' });
    await publish(odd, 'fs/v1/odd/status', {
      online: true,
      ts: Date.now(),
      boot: 1,
      fw: 'x',
      board: 'esp32',
      parts: { env: 'bme999' },
    });
    await waitFor(() => readDeadLetters(gw.dir, { device: 'odd' }).length > 0, 5000, 'dead letter');
    assert.match(
      readDeadLetters(gw.dir, { device: 'odd' })[0]?.detail ?? '',
      /field parts\.env is "bme999", which is not a part in the gateway's catalog/,
    );
    assert.not.ok(gw.parts.presence?.get('odd')?.birth);
    await Promise.all([end(porch), end(odd), backend.close()]);
  } finally {
    await gw.cleanup();
  }
});

test.run();
