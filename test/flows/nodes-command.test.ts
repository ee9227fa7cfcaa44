/** node-red-node-test-helper: `fullstack command` (ack, error ack, timeout) through a real broker. */
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { type UpstreamAck, type UpstreamCommand, upstreamTopic } from '../../contract/index.js';
import {
  backendConfig,
  connected,
  type Harness,
  nextMessage,
  startHarness,
  until,
} from './node-harness.js';
import { full, GATEWAY, online } from './upstream-fixtures.js';

const test = suite<{ h: Harness; received: UpstreamCommand[] }>('nodes: fullstack command');

test.before(async (ctx) => {
  ctx.h = await startHarness();
  ctx.received = [];
  // The test plays the gateway: it answers each command according to the command's name.
  await ctx.h.gateway.subscribeAsync(upstreamTopic(GATEWAY, 'cmd'), { qos: 1 });
  ctx.h.gateway.on('message', (_topic, payload) => {
    const command = JSON.parse(payload.toString()) as UpstreamCommand;
    ctx.received.push(command);
    if (command.name === 'sleep') return; // never answered: the node times out
    const ack: UpstreamAck =
      command.name === 'ping'
        ? { device: command.device, ack: { id: command.id, ok: true, result: { pong: true } } }
        : {
            device: command.device,
            ack: { id: command.id, ok: false, error: `unknown command ${command.name}` },
          };
    void ctx.h.gateway.publishAsync(upstreamTopic(GATEWAY, 'ack'), JSON.stringify(ack), { qos: 1 });
  });
});
test.after(async (ctx) => {
  await ctx.h.close();
});

test.before.each(async ({ h }) => {
  await h.helper.load(h.nodes, [
    backendConfig(h),
    {
      id: 'cmd',
      type: 'fullstack command',
      backend: 'backend',
      device: 'greenhouse',
      timeout: 0.3,
      wires: [['ok'], ['failed']],
    },
    { id: 'ok', type: 'helper' },
    { id: 'failed', type: 'helper' },
  ]);
  await connected(h, 'cmd');
  await h.gateway.publishAsync(
    upstreamTopic(GATEWAY, 'devices'),
    JSON.stringify(full([online('greenhouse')])),
    { qos: 1 },
  );
  const backend = h.helper.getNode('backend').backend;
  await until(() => backend.fleet.get('greenhouse') !== undefined, 'the device to be known');
});
test.after.each(async ({ h }) => {
  await h.helper.unload();
});

test('an ack goes to output 1 with the result; the gateway got the command', async ({
  h,
  received,
}) => {
  const ok = nextMessage(h, 'ok');
  h.helper.getNode('cmd').receive({ command: 'ping', payload: {}, reqId: 'r1' });
  const msg = await ok;
  const outcome = msg.payload as { status: string; result: unknown; device: string };
  assert.is(outcome.status, 'ok');
  assert.equal(outcome.result, { pong: true });
  assert.is(msg.reqId, 'r1', 'the input message travels with the outcome');
  const sent = received[received.length - 1];
  assert.equal([sent?.device, sent?.name, sent?.timeoutMs], ['greenhouse', 'ping', 300]);
  assert.match(h.helper.getNode('cmd').status.lastCall.args[0].text, /ping → greenhouse: ok/);
});

test('an error ack goes to output 2', async ({ h }) => {
  const failed = nextMessage(h, 'failed');
  h.helper.getNode('cmd').receive({ command: 'explode', payload: { now: true } });
  const outcome = (await failed).payload as { status: string; error: string };
  assert.equal([outcome.status, outcome.error], ['error', 'unknown command explode']);
});

test('no ack in time goes to output 2 as a timeout', async ({ h }) => {
  const failed = nextMessage(h, 'failed');
  h.helper.getNode('cmd').receive({ command: 'sleep' });
  const outcome = (await failed).payload as { status: string; error: string };
  assert.is(outcome.status, 'timeout');
  assert.match(outcome.error, /within 300 ms/);
  assert.match(h.helper.getNode('cmd').status.lastCall.args[0].text, /timeout/);
});

test('a bad device id is refused before anything is sent', async ({ h, received }) => {
  const before = received.length;
  const node = h.helper.getNode('cmd');
  node.receive({ device: 'Not A Device', command: 'ping' });
  await until(() => node.error.called, 'the error');
  assert.match(String(node.error.lastCall.args[0]), /not a device id/);
  assert.is(received.length, before);
});

test.run();
