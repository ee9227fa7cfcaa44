/**
 * The core's two extension points, as OTA uses them: the extra-commands table (commands the core
 * does not know, answered with the handler's ack and its `after` run once the ack is out) and
 * the birth-acknowledged hook (called only when the broker PUBACKed the birth, on every connect).
 * A scripted transport stands in for the broker: it is the outermost edge of the core.
 */
import * as assert from 'node:assert/strict';
import { test } from 'uvu';
import type { Ack } from '../../contract/payloads.js';
import { ackTopic, cmdTopic, statusTopic } from '../../contract/topics.js';
import type { ExtraCommands } from '../../firmware/core/commands.js';
import type { CoreContext } from '../../firmware/core/runtime.js';
import type { Done, Transport, TransportEvents } from '../../firmware/core/types.js';
import { ManualClock } from '../../lib/clock.js';
import { createScriptedIO } from './scripted-io.js';
import { startTestCore, unoPlan } from './test-core.js';

interface Published {
  topic: string;
  payload: string;
  done: Done;
}

/** A transport whose PUBACKs the test gives (or refuses) one by one. */
function scriptedTransport() {
  const published: Published[] = [];
  let events: TransportEvents | null = null;
  const transport: Transport = {
    open(_options, handlers) {
      events = handlers;
    },
    publish: (topic, payload, _options, done) => {
      published.push({ topic, payload, done });
    },
    subscribe: (_t, done) => done(null),
    end: (done) => done(),
  };
  return {
    transport,
    published,
    events: () => {
      if (events === null) throw new Error('the core has not connected');
      return events;
    },
  };
}

function core(extra: Partial<CoreContext>) {
  const clock = new ManualClock(1_000_000);
  const wire = scriptedTransport();
  const plan = unoPlan({ id: 'ext', board: 'uno', sensors: [], actuators: [] });
  const runtime = startTestCore({
    plan,
    transport: wire.transport,
    io: createScriptedIO(),
    clock,
    ...extra,
  });
  return { clock, wire, runtime };
}

function acks(published: Published[]): Ack[] {
  return published.filter((p) => p.topic === ackTopic('ext')).map((p) => JSON.parse(p.payload));
}

test('a command the core does not know goes to the extra table: its ack, then its after', () => {
  const calls: string[] = [];
  const extraCommands: ExtraCommands = {
    'ota-status': (id, args) => {
      calls.push(`status ${id} ${JSON.stringify(args)}`);
      return { ack: { id, ok: true, result: { slot: 'a' } }, after: () => calls.push('after') };
    },
  };
  const { clock, wire, runtime } = core({ extraCommands });
  wire.events().connected();
  wire
    .events()
    .received(cmdTopic('ext'), JSON.stringify({ id: 'c1', name: 'ota-status', args: { x: 1 } }));
  assert.deepEqual(acks(wire.published), [{ id: 'c1', ok: true, result: { slot: 'a' } }]);
  assert.deepEqual(calls, ['status c1 {"x":1}'], 'after waits until the ack is on its way');
  clock.advance(500);
  assert.deepEqual(calls, ['status c1 {"x":1}', 'after']);
  runtime.stop('clean', () => {});
});

test("the core's own commands win over the table; unknown names list both; throws become acks", () => {
  const extraCommands: ExtraCommands = {
    ping: (id) => ({ ack: { id, ok: true, result: 'shadowed' }, after: null }),
    'ota-begin': () => {
      throw new Error('Storage is full');
    },
  };
  const { wire, runtime } = core({ extraCommands });
  wire.events().connected();
  const send = (command: object) =>
    wire.events().received(cmdTopic('ext'), JSON.stringify(command));
  send({ id: 'p', name: 'ping' });
  send({ id: 'b', name: 'ota-begin', args: {} });
  send({ id: 'u', name: 'ota-nope' });
  const [ping, begin, unknown] = acks(wire.published);
  assert.equal(ping?.ok && typeof (ping.result as { ts: unknown }).ts, 'number');
  assert.deepEqual(begin, { id: 'b', ok: false, error: 'Storage is full' });
  assert.deepEqual(unknown, {
    id: 'u',
    ok: false,
    error: 'unknown command "ota-nope" (known: set, interval, ping, reboot, ping, ota-begin)',
  });
  runtime.stop('clean', () => {});
});

test('without a table, ota-* are unknown commands (a firmware built without OTA)', () => {
  const { wire, runtime } = core({});
  wire.events().connected();
  wire.events().received(cmdTopic('ext'), '{"id":"s","name":"ota-status"}');
  assert.deepEqual(acks(wire.published), [
    {
      id: 's',
      ok: false,
      error: 'unknown command "ota-status" (known: set, interval, ping, reboot)',
    },
  ]);
  runtime.stop('clean', () => {});
});

test('birthAcknowledged does not run before the PUBACK, nor when the birth was not acknowledged', () => {
  let births = 0;
  const { wire, runtime } = core({
    birthAcknowledged: () => {
      births++;
    },
  });
  wire.events().connected();
  const birth = wire.published.find((p) => p.topic === statusTopic('ext'));
  assert.ok(birth, 'the birth was published');
  assert.equal(births, 0, 'not before its PUBACK');
  birth.done('connection closed');
  assert.equal(births, 0, 'a birth that was not acknowledged confirms nothing');
  runtime.stop('clean', () => {});
});

test('birthAcknowledged runs on each acknowledged birth (first connect, then a reconnect)', () => {
  let births = 0;
  const { clock, wire, runtime } = core({
    birthAcknowledged: () => {
      births++;
    },
  });
  wire.events().connected();
  wire.published.find((p) => p.topic === statusTopic('ext'))?.done(null);
  assert.equal(births, 1);
  wire.events().closed('lost');
  wire.published.length = 0;
  clock.advance(60_000); // past the backoff: the core connects again
  wire.events().connected();
  wire.published.find((p) => p.topic === statusTopic('ext'))?.done(null);
  assert.equal(births, 2);
  runtime.stop('clean', () => {});
});

test.run();
