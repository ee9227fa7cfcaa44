/** CommandTracker: ack, error ack, gateway failures, timeout (driven by a ManualClock). */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { UpstreamCommand } from '../../contract/index.js';
import { CommandTracker } from '../../flows/lib/commands.js';
import { ManualClock } from '../../lib/clock.js';

function setup(publish?: (c: UpstreamCommand) => Promise<void>) {
  const clock = new ManualClock(1000);
  const sent: UpstreamCommand[] = [];
  const tracker = new CommandTracker(
    clock,
    publish ??
      (async (c) => {
        sent.push(c);
      }),
  );
  return { clock, sent, tracker };
}

test('an ack resolves the command with its result and the time taken', async () => {
  const { clock, sent, tracker } = setup();
  const outcome = tracker.send({ device: 'a', name: 'ping', timeoutMs: 500 });
  await Promise.resolve();
  assert.equal([sent[0]?.device, sent[0]?.name, sent[0]?.timeoutMs], ['a', 'ping', 500]);
  clock.advance(40);
  assert.ok(tracker.handleAck({ device: 'a', ack: { id: sent[0]!.id, ok: true, result: 1 } }));
  assert.equal(await outcome, {
    status: 'ok',
    device: 'a',
    id: sent[0]!.id,
    name: 'ping',
    ms: 40,
    result: 1,
  });
  assert.is(tracker.inFlight, 0);
});

test('an error ack, and the gateway reporting its own timeout, are failures', async () => {
  const { sent, tracker } = setup();
  const first = tracker.send({ device: 'a', name: 'set' });
  const second = tracker.send({ device: 'a', name: 'set' });
  await Promise.resolve();
  tracker.handleAck({ device: 'a', ack: { id: sent[0]!.id, ok: false, error: 'offline' } });
  tracker.handleAck({ device: 'a', ack: { id: sent[1]!.id, ok: false, error: 'timeout' } });
  const failed = await first;
  assert.is(failed.status, 'error');
  if (failed.status === 'error') assert.is(failed.error, 'offline');
  assert.is((await second).status, 'timeout');
});

test('no ack within the timeout resolves as a timeout; a late ack is ignored', async () => {
  const { clock, sent, tracker } = setup();
  const outcome = tracker.send({ device: 'a', name: 'reboot', timeoutMs: 300 });
  await Promise.resolve();
  clock.advance(299);
  assert.is(tracker.inFlight, 1);
  clock.advance(1);
  const result = await outcome;
  assert.equal([result.status, result.ms], ['timeout', 300]);
  assert.not.ok(tracker.handleAck({ device: 'a', ack: { id: sent[0]!.id, ok: true } }));
});

test('an ack from another device for the same id is not accepted', async () => {
  const { sent, tracker } = setup();
  void tracker.send({ device: 'a', name: 'ping' });
  await Promise.resolve();
  assert.not.ok(tracker.handleAck({ device: 'b', ack: { id: sent[0]!.id, ok: true } }));
  assert.is(tracker.inFlight, 1);
  tracker.cancelAll('closing');
  assert.is(tracker.inFlight, 0);
});

test('a command that cannot be published fails at once with the reason', async () => {
  const { tracker } = setup(async () => {
    throw new Error('the backend broker is reconnecting');
  });
  const result = await tracker.send({ device: 'a', name: 'ping' });
  assert.is(result.status, 'error');
  if (result.status === 'error')
    assert.match(result.error, /not sent: the backend broker is reconnecting/);
});

test.run();
