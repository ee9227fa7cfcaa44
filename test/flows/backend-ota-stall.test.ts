/**
 * The backend marks an OTA update whose sender went silent as failed, on its own clock: a real
 * broker carries the sender's event, a manual clock stands in for ten minutes of silence.
 */
import mqtt from 'mqtt';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { upstreamTopic } from '../../contract/topics.js';
import { Backend } from '../../flows/lib/backend.js';
import { OTA_STALL_MS, type OtaProgress } from '../../flows/lib/ota-progress.js';
import { ManualClock } from '../../lib/clock.js';
import { startTestBroker } from '../helpers/broker.js';
import { until } from '../helpers/until.js';

test('a silent update turns failed once, after OTA_STALL_MS of the backend’s clock', async () => {
  const broker = await startTestBroker();
  const clock = new ManualClock(1_000_000);
  const warnings: string[] = [];
  const backend = new Backend({
    url: broker.url,
    gateway: '+',
    clock,
    warn: (text) => warnings.push(text),
  });
  const changes: OtaProgress[] = [];
  backend.otaChanges.on((progress) => changes.push(progress));
  const sender = await mqtt.connectAsync(broker.url);
  try {
    backend.start();
    await until(() => backend.state === 'connected', 'the backend subscribed');
    const event = {
      type: 'ota',
      device: 'pi-1',
      phase: 'sending',
      fw: 'fw-2',
      sent: 100,
      total: 400,
      ts: 5,
    };
    await sender.publishAsync(upstreamTopic('gw-1', 'events'), JSON.stringify(event), { qos: 1 });
    await until(() => changes.length === 1, 'the sending step');
    clock.advance(OTA_STALL_MS - 30_000);
    assert.is(changes.length, 1, 'still updating before the stall time');
    clock.advance(60_000);
    assert.equal(
      changes.map((p) => p.state),
      ['updating', 'failed'],
    );
    assert.match(warnings.join('\n'), /OTA of pi-1: update stalled/);
    clock.advance(OTA_STALL_MS);
    assert.is(changes.length, 2, 'reported once');
  } finally {
    await sender.endAsync();
    await backend.stop();
    await broker.close();
  }
});

test.run();
