/**
 * The Espruino bundle's runtime, as built (features left out, property names shortened), in
 * the sandbox against a real broker: every command with its result or its precise error, the
 * reboot through E.reboot, and a broker restart after which the readings produced offline
 * arrive in order, flagged historical, before the live ones. espruino-bundle.test.ts covers the
 * birth, the readings and the set round trip of every shipped config.
 */
import * as assert from 'node:assert/strict';
import { suite } from 'uvu';
import { buildEspruinoBundle } from '../../firmware/espruino/build.js';
import { EspruinoSandbox } from '../../firmware/espruino/sandbox.js';
import { loadDeviceConfig } from '../../hardware/config/index.js';
import { createWorld } from '../../hardware/virtual/world.js';
import { repoPath } from '../../lib/paths.js';
import { startTestBroker, type TestBroker } from '../helpers/broker.js';
import { collect } from './collector.js';

const test = suite('the Espruino runtime in the sandbox');

const pico = loadDeviceConfig(repoPath('hardware', 'devices', 'pico-desk.json'));

async function start(broker: TestBroker) {
  const world = createWorld({ seed: 7 });
  world.setTemperature(20);
  const bundle = await buildEspruinoBundle({ config: pico, brokerUrl: broker.url });
  const sandbox = new EspruinoSandbox({
    board: bundle.board,
    world,
    device: pico,
    variables: bundle.board.espruinoVars,
  });
  sandbox.run(bundle.code, 'pico-desk.bundle.js');
  return { world, sandbox };
}

test('every command is answered: results, precise errors, the reboot', async () => {
  const broker = await startTestBroker();
  const sub = await collect(broker.url, pico.id);
  const { world, sandbox } = await start(broker);
  try {
    await sub.waitFor((m) => m.kind === 'status' && m.payload.online === true, 10_000, 'birth');
    let n = 0;
    const ack = async (command: object) => {
      const id = `c${++n}`;
      await sub.send(`fs/v1/${pico.id}/cmd`, JSON.stringify({ id, ...command }));
      return (await sub.waitFor((m) => m.kind === 'ack' && m.payload.id === id, 5000, `ack ${id}`))
        .payload;
    };
    assert.deepEqual(await ack({ name: 'set', args: { actuator: 'lamp', value: 51 } }), {
      id: 'c1',
      ok: true,
      result: { actuator: 'lamp', value: 51 },
    });
    const pwm = sandbox.writes.filter((w) => w.kind === 'analog').at(-1);
    assert.ok(pwm && Math.abs((pwm.value as number) - 0.2) < 1e-9, JSON.stringify(pwm));
    assert.equal(
      (await ack({ name: 'set', args: { actuator: 'lamp', value: 300 } })).error,
      'bad args.value: 300 (allowed integer 0..255)',
    );
    assert.equal(
      (await ack({ name: 'set', args: { actuator: 'fan', value: 1 } })).error,
      'unknown actuator "fan" (known: lamp)',
    );
    // The plan's interval fields are shortened in the bundle; the answer keeps the contract's.
    assert.deepEqual(
      (
        await ack({
          name: 'interval',
          args: { sensor: 'temp', sampleMs: 2000, maxReportMs: 30000 },
        })
      ).result,
      { temp: { sampleMs: 2000, minReportMs: 1000, maxReportMs: 30000 } },
    );
    assert.equal(
      (await ack({ name: 'interval', args: { sampleMs: 10 } })).error,
      'bad args.sampleMs: 10 (allowed integer 50..86400000)',
    );
    assert.equal(
      (await ack({ name: 'interval', args: { sensor: 'nope', sampleMs: 1000 } })).error,
      'unknown sensor "nope" (known: temp, button)',
    );
    assert.equal(
      (await ack({ name: 'interval', args: { sensor: 'temp' } })).error,
      'bad args: {"sensor":"temp"} (allowed one of sampleMs, minReportMs, maxReportMs)',
    );
    const ping = (await ack({ name: 'ping' })).result as { ts: number; uptimeMs: number };
    assert.ok(ping.ts > 1.6e12 && ping.uptimeMs >= 0, JSON.stringify(ping));
    assert.equal(
      (await ack({ name: 'dance' })).error,
      'unknown command "dance" (known: set, interval, ping, reboot)',
    );
    // Not JSON: the id is recovered from the text.
    await sub.send(`fs/v1/${pico.id}/cmd`, '{"id":"m1","name":"ping","args":');
    const malformed = await sub.waitFor(
      (m) => m.kind === 'ack' && m.payload.id === 'm1',
      5000,
      'the malformed ack',
    );
    assert.deepEqual(malformed.payload, {
      id: 'm1',
      ok: false,
      error: 'not a JSON object {"id","name","args"} (32 bytes)',
    });
    assert.deepEqual((await ack({ name: 'reboot' })).result, { rebooting: true });
    const deadline = Date.now() + 2000;
    while (!sandbox.console.includes('reboot requested') && Date.now() < deadline)
      await new Promise((resolve) => setTimeout(resolve, 20));
    assert.ok(sandbox.console.includes('reboot requested'), sandbox.console.join('\n'));
    assert.ok(
      !sandbox.console.some((line) => line.startsWith('Uncaught')),
      sandbox.console.join('\n'),
    );
  } finally {
    sandbox.dispose();
    world.close();
    await sub.close();
    await broker.close();
  }
});

test('a broker restart: readings made offline arrive after reconnect, in order, flagged historical', async () => {
  let broker = await startTestBroker();
  const lives: { seq: number; historical: boolean }[][] = [];
  const record = (b: TestBroker) => {
    const life: { seq: number; historical: boolean }[] = [];
    lives.push(life);
    b.aedes.on('publish', (packet, client) => {
      if (!client || packet.topic !== `fs/v1/${pico.id}/telemetry`) return;
      const payload = JSON.parse(packet.payload.toString());
      life.push({ seq: payload.seq, historical: payload.historical === true });
    });
  };
  record(broker);
  const { world, sandbox } = await start(broker);
  // The temperature moves by more than the NTC's deadband every 400 ms: a report a second.
  let celsius = 20;
  const warming = setInterval(() => {
    celsius += 1;
    world.setTemperature(celsius);
  }, 400);
  const until = async (check: () => boolean, what: string, ms = 15_000) => {
    const end = Date.now() + ms;
    while (!check()) {
      if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  };
  try {
    await until(() => lives[0]!.length >= 3, 'live telemetry');
    const port = broker.port;
    await broker.close();
    await new Promise((resolve) => setTimeout(resolve, 3000));
    broker = await startTestBroker(port);
    record(broker);
    const second = lives[1]!;
    await until(() => second.some((m) => !m.historical), 'live telemetry after the replay');
    const historical = second.filter((m) => m.historical).map((m) => m.seq);
    assert.ok(historical.length >= 2, `historical messages: ${JSON.stringify(second)}`);
    const firstLive = second.findIndex((m) => !m.historical);
    assert.ok(
      second.slice(firstLive).every((m) => !m.historical),
      `live ones follow the replay: ${JSON.stringify(second)}`,
    );
    // One boot, every seq once or more (a message may be sent again if its PUBACK was lost),
    // none missing, in order within each broker life.
    const seqs = [...lives[0]!, ...second].map((m) => m.seq);
    const distinct = [...new Set(seqs)].sort((a, b) => a - b);
    assert.deepEqual(
      distinct,
      Array.from({ length: distinct.length }, (_, i) => i + 1),
      `gap-free: ${seqs.join(',')}`,
    );
    assert.deepEqual(
      second.map((m) => m.seq),
      [...second.map((m) => m.seq)].sort((a, b) => a - b),
    );
  } finally {
    clearInterval(warming);
    sandbox.dispose();
    world.close();
    await broker.close();
  }
});

test.run();
