/**
 * The device runtime against a real broker (Aedes on a free port; Mosquitto on 127.0.0.1:1883
 * when present): births, telemetry with gap-free seq, the will, a broker restart with buffered
 * readings replayed in order and flagged, command round trips for every actuator kind, and
 * malformed commands answered with error acks.
 */
import * as assert from 'node:assert/strict';
import { suite } from 'uvu';
import { type DeviceRuntime, startDeviceRuntime } from '../../firmware/node/start.js';
import type { DeviceConfig } from '../../hardware/config/types.js';
import { mosquittoAvailable, startTestBroker, type TestBroker } from '../helpers/broker.js';
import { type Collector, collect } from './collector.js';
import { createScriptedIO, type ScriptedIO, tmp36Fraction } from './scripted-io.js';

const FAST_BACKOFF = { minMs: 50, maxMs: 200, factor: 2, jitter: 0.5 };

function testConfig(id: string): DeviceConfig {
  return {
    id,
    board: 'uno',
    sensors: [
      {
        id: 'temp',
        part: 'tmp36',
        pin: 'A0',
        sampleMs: 50,
        deadband: 0.05,
        minReportMs: 50,
        maxReportMs: 1000,
      },
    ],
    actuators: [
      { id: 'lamp', part: 'led', pin: '13' },
      { id: 'pump', part: 'relay', pin: '8' },
      { id: 'dimmer', part: 'pwm', pin: '5' },
      { id: 'vent', part: 'servo', pin: '9', initial: 90 },
    ],
    bufferSize: 100,
  };
}

/** Makes the temperature move by 0.1 °C every 10 ms, so every sample is a report. */
function drift(io: ScriptedIO): () => void {
  let celsius = 20;
  io.analog.A0 = tmp36Fraction(celsius);
  const timer = setInterval(() => {
    celsius = celsius > 30 ? 20 : celsius + 0.1;
    io.analog.A0 = tmp36Fraction(celsius);
  }, 10);
  return () => clearInterval(timer);
}

function seqs(collector: Collector): number[] {
  return collector.of('telemetry').map((m) => m.payload.seq as number);
}

function assertGapFree(values: number[]): void {
  const unique = [...new Set(values)].sort((a, b) => a - b);
  assert.deepEqual(
    unique,
    Array.from({ length: unique.length }, (_, i) => i + 1),
    `seq ${values.join(',')}`,
  );
}

const runtime = suite('device runtime on the embedded broker');
let broker: TestBroker;
let collector: Collector;
let device: DeviceRuntime | undefined;
let io: ScriptedIO;
let stopDrift: () => void;

runtime.before.each(async () => {
  broker = await startTestBroker();
  io = createScriptedIO();
  stopDrift = drift(io);
});

runtime.after.each(async () => {
  stopDrift();
  await device?.stop();
  device = undefined;
  await collector?.close();
  await broker.close();
});

runtime(
  'publishes a retained birth, then telemetry with gap-free seq; stops with a clean goodbye',
  async () => {
    collector = await collect(broker.url, 'rt-1');
    device = startDeviceRuntime({
      config: testConfig('rt-1'),
      brokerUrl: broker.url,
      io,
      backoff: FAST_BACKOFF,
    });
    const birth = await collector.waitFor(
      (m) => m.kind === 'status' && m.payload.online === true,
      5000,
      'birth',
    );
    assert.equal(birth.payload.board, 'uno');
    assert.equal(birth.payload.boot, 1);
    assert.match(String(birth.payload.fw), /^fullstack\/\d+\.\d+\.\d+/);
    assert.deepEqual(birth.payload.sensors, [{ id: 'temp', kind: 'temperature', unit: '°C' }]);
    assert.deepEqual(
      (birth.payload.actuators as { id: string; kind: string }[]).map((a) => a.kind),
      ['led', 'relay', 'pwm', 'servo'],
    );
    await collector.waitFor(
      (m) => m.kind === 'telemetry' && (m.payload.seq as number) >= 10,
      5000,
      'ten readings',
    );
    const temps = collector
      .of('telemetry')
      .map((m) => (m.payload.readings as { temp: number }).temp);
    assert.ok(new Set(temps).size > 3, `readings change: ${temps.join(',')}`);
    assertGapFree(seqs(collector));
    await device.stop();
    const goodbye = await collector.waitFor(
      (m) => m.kind === 'status' && m.payload.online === false,
      5000,
      'goodbye',
    );
    assert.equal(goodbye.payload.reason, 'clean');
    // The goodbye is retained: a newcomer sees it.
    const late = await collect(broker.url, 'rt-1');
    const retained = await late.waitFor((m) => m.kind === 'status', 5000, 'retained status');
    await late.close();
    assert.equal(retained.retain, true);
    assert.equal(retained.payload.online, false);
  },
);

runtime('the will says "lost" when the connection drops without a goodbye', async () => {
  collector = await collect(broker.url, 'rt-2');
  device = startDeviceRuntime({
    config: testConfig('rt-2'),
    brokerUrl: broker.url,
    io,
    backoff: { minMs: 5000, maxMs: 5000, factor: 1, jitter: 0 },
  });
  await collector.waitFor((m) => m.kind === 'status' && m.payload.online === true, 5000, 'birth');
  const client = (
    broker.aedes as unknown as { clients: Record<string, { conn: { destroy(): void } }> }
  ).clients['rt-2'];
  assert.ok(client, 'the device is connected with client id = device id');
  client.conn.destroy();
  const will = await collector.waitFor(
    (m) => m.kind === 'status' && m.payload.online === false,
    5000,
    'will',
  );
  assert.deepEqual(will.payload, { online: false, reason: 'lost' });
});

runtime(
  'a broker restart: readings buffered meanwhile arrive after reconnect, in order, flagged historical',
  async () => {
    // Recorded at the broker, per broker life: what the device published. The subscriber's view
    // alone could miss the replay (it may resubscribe after the device is back) and a broker
    // that dies between PUBACK and delivery loses messages on its own account.
    const lives: { seq: number; historical: boolean }[][] = [];
    const record = (b: TestBroker) => {
      const life: { seq: number; historical: boolean }[] = [];
      lives.push(life);
      b.aedes.on('publish', (packet, client) => {
        if (!client || packet.topic !== 'fs/v1/rt-3/telemetry') return;
        const payload = JSON.parse(packet.payload.toString());
        life.push({ seq: payload.seq, historical: payload.historical === true });
      });
    };
    record(broker);
    collector = await collect(broker.url, 'rt-3');
    device = startDeviceRuntime({
      config: testConfig('rt-3'),
      brokerUrl: broker.url,
      io,
      backoff: FAST_BACKOFF,
    });
    await collector.waitFor(
      (m) => m.kind === 'telemetry' && (m.payload.seq as number) >= 5,
      5000,
      'live readings',
    );
    const port = broker.port;
    await broker.close();
    await new Promise((resolve) => setTimeout(resolve, 600));
    const producedOffline = device.state.seq;
    assert.ok(device.state.buffered > 3, `buffered while offline: ${device.state.buffered}`);
    assert.ok(['waiting', 'connecting'].includes(device.state.connection), device.state.connection);
    broker = await startTestBroker(port);
    record(broker);
    const second = lives[1]!;
    await waitFor(
      () => second.some((m) => !m.historical && m.seq > producedOffline + 2),
      'live readings after the replay',
    );
    const historicalSeqs = second.filter((m) => m.historical).map((m) => m.seq);
    assert.ok(historicalSeqs.length >= 3, `historical messages: ${historicalSeqs.length}`);
    assert.deepEqual(
      historicalSeqs,
      [...historicalSeqs].sort((a, b) => a - b),
      'replayed in order',
    );
    const lastAccepted = Math.max(...lives[0]!.map((m) => m.seq));
    assert.ok(
      historicalSeqs[0]! <= lastAccepted + 1,
      `the replay starts at or before ${lastAccepted + 1}`,
    );
    assert.ok(historicalSeqs.at(-1)! >= producedOffline, 'everything produced offline is replayed');
    // Live messages follow the replay, none flagged.
    const firstLive = second.findIndex((m) => !m.historical);
    assert.ok(
      second.slice(firstLive).every((m) => !m.historical),
      JSON.stringify(second),
    );
    assertGapFree([...lives[0]!, ...second].map((m) => m.seq));
    assert.equal(device.state.bufferDropped, 0);
    assert.equal(device.state.connects, 2);
    // And the subscriber, back on the new broker, hears the device live.
    await collector.waitFor(
      (m) => m.kind === 'telemetry' && (m.payload.seq as number) > producedOffline + 2,
      10_000,
      'live telemetry at the subscriber after the restart',
    );
  },
);

async function waitFor(check: () => boolean, what: string, timeoutMs = 10_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

runtime(
  'commands: set for every actuator kind, interval, ping; errors are acks, not crashes',
  async () => {
    collector = await collect(broker.url, 'rt-4');
    device = startDeviceRuntime({
      config: testConfig('rt-4'),
      brokerUrl: broker.url,
      io,
      backoff: FAST_BACKOFF,
    });
    await collector.waitFor((m) => m.kind === 'status' && m.payload.online === true, 5000, 'birth');
    const cmd = 'fs/v1/rt-4/cmd';
    const ack = async (id: string, payload: string) => {
      await collector.send(cmd, payload);
      return (
        await collector.waitFor((m) => m.kind === 'ack' && m.payload.id === id, 5000, `ack ${id}`)
      ).payload;
    };
    const set = (id: string, actuator: string, value: unknown) =>
      ack(id, JSON.stringify({ id, name: 'set', args: { actuator, value } }));

    assert.deepEqual(await set('c1', 'lamp', true), {
      id: 'c1',
      ok: true,
      result: { actuator: 'lamp', value: true },
    });
    assert.deepEqual(await set('c2', 'pump', true), {
      id: 'c2',
      ok: true,
      result: { actuator: 'pump', value: true },
    });
    assert.deepEqual(await set('c3', 'dimmer', 51), {
      id: 'c3',
      ok: true,
      result: { actuator: 'dimmer', value: 51 },
    });
    assert.deepEqual(await set('c4', 'vent', 45), {
      id: 'c4',
      ok: true,
      result: { actuator: 'vent', value: 45 },
    });
    const last = (pin: string) => io.writes.filter((w) => w.pin === pin).at(-1);
    assert.deepEqual(last('13'), { pin: '13', kind: 'digital', value: true });
    assert.deepEqual(last('8'), { pin: '8', kind: 'digital', value: true });
    assert.deepEqual(last('5'), { pin: '5', kind: 'pwm', value: 0.2 });
    assert.deepEqual(last('9'), { pin: '9', kind: 'servo', value: 45 });

    const badServo = await set('c5', 'vent', 200);
    assert.equal(badServo.ok, false);
    assert.equal(badServo.error, 'bad args.value: 200 (allowed 0..180)');
    const badPwm = await set('c5b', 'dimmer', 2.5);
    assert.equal(badPwm.error, 'bad args.value: 2.5 (allowed integer 0..255)');
    const badLed = await set('c6', 'lamp', 'on');
    assert.equal(badLed.error, 'bad args.value: "on" (allowed true or false)');
    const unknown = await set('c7', 'nothing', true);
    assert.match(
      String(unknown.error),
      /unknown actuator "nothing" \(known: lamp, pump, dimmer, vent\)/,
    );
    const unknownCommand = await ack('c8', '{"id":"c8","name":"dance","args":{}}');
    assert.match(
      String(unknownCommand.error),
      /unknown command "dance" \(known: set, interval, ping, reboot\)/,
    );
    const truncated = await ack('c9', '{"id":"c9","name":"set","args":{"actu');
    assert.equal(truncated.error, 'not a JSON object {"id","name","args"} (37 bytes)');
    await collector.send(cmd, 'garbage');
    const anonymous = await collector.waitFor(
      (m) => m.kind === 'ack' && m.payload.id === '-',
      5000,
      'ack for garbage',
    );
    assert.equal(anonymous.payload.ok, false);

    const interval = await ack(
      'c10',
      '{"id":"c10","name":"interval","args":{"sensor":"temp","sampleMs":200}}',
    );
    assert.deepEqual(interval, {
      id: 'c10',
      ok: true,
      result: { temp: { sampleMs: 200, minReportMs: 50, maxReportMs: 1000 } },
    });
    const badInterval = await ack('c11', '{"id":"c11","name":"interval","args":{"sampleMs":-1}}');
    assert.equal(badInterval.error, 'bad args.sampleMs: -1 (allowed integer 50..86400000)');
    const ping = await ack('c12', '{"id":"c12","name":"ping","args":{}}');
    assert.equal(ping.ok, true);
    assert.equal(typeof (ping.result as { uptimeMs: number }).uptimeMs, 'number');
    // Still alive and reporting after all that.
    const seqBefore = device.state.seq;
    await collector.waitFor(
      (m) => m.kind === 'telemetry' && (m.payload.seq as number) > seqBefore,
      5000,
      'telemetry after the commands',
    );
  },
);

runtime('reboot: acked, then a new boot whose seq starts again at 1', async () => {
  collector = await collect(broker.url, 'rt-5');
  device = startDeviceRuntime({
    config: testConfig('rt-5'),
    brokerUrl: broker.url,
    io,
    backoff: FAST_BACKOFF,
  });
  await collector.waitFor(
    (m) => m.kind === 'telemetry' && (m.payload.seq as number) >= 3,
    5000,
    'readings',
  );
  await collector.send('fs/v1/rt-5/cmd', '{"id":"r1","name":"reboot","args":{}}');
  const ack = await collector.waitFor(
    (m) => m.kind === 'ack' && m.payload.id === 'r1',
    5000,
    'reboot ack',
  );
  assert.equal(ack.payload.ok, true);
  const birth = await collector.waitFor(
    (m) => m.kind === 'status' && m.payload.online === true && m.payload.boot === 2,
    5000,
    'second birth',
  );
  assert.equal(birth.payload.boot, 2);
  const first = await collector.waitFor(
    (m) => m.kind === 'telemetry' && m.payload.boot === 2,
    5000,
    'telemetry of boot 2',
  );
  assert.equal(first.payload.seq, 1);
});

runtime('a backoff jitter outside 0..1 is refused before anything starts', () => {
  for (const jitter of [-0.1, 1.5, Number.NaN]) {
    assert.throws(
      () =>
        startDeviceRuntime({
          config: testConfig('rt-6'),
          brokerUrl: broker.url,
          io,
          backoff: { ...FAST_BACKOFF, jitter },
        }),
      new RegExp(`^Error: backoff\\.jitter: ${jitter} \\(allowed 0\\.\\.1\\)$`),
    );
  }
});

runtime.run();

const mosquitto = suite('device runtime on Mosquitto (127.0.0.1:1883)');

mosquitto('birth, telemetry and a command round trip', async () => {
  if (!(await mosquittoAvailable())) return;
  const url = 'mqtt://127.0.0.1:1883';
  const id = `rt-mosq-${process.pid}`;
  const mio = createScriptedIO();
  const stop = drift(mio);
  const sub = await collect(url, id);
  const dev = startDeviceRuntime({
    config: testConfig(id),
    brokerUrl: url,
    io: mio,
    backoff: FAST_BACKOFF,
  });
  try {
    await sub.waitFor((m) => m.kind === 'status' && m.payload.online === true, 5000, 'birth');
    await sub.waitFor(
      (m) => m.kind === 'telemetry' && (m.payload.seq as number) >= 5,
      5000,
      'readings',
    );
    assertGapFree(sub.of('telemetry').map((m) => m.payload.seq as number));
    await sub.send(
      `fs/v1/${id}/cmd`,
      JSON.stringify({ id: 'm1', name: 'set', args: { actuator: 'vent', value: 10 } }),
    );
    const ack = await sub.waitFor((m) => m.kind === 'ack' && m.payload.id === 'm1', 5000, 'ack');
    assert.equal(ack.payload.ok, true);
    await dev.stop();
    const goodbye = await sub.waitFor(
      (m) => m.kind === 'status' && m.payload.online === false,
      5000,
      'goodbye',
    );
    assert.equal(goodbye.payload.reason, 'clean');
  } finally {
    stop();
    await dev.stop();
    // Leave no retained status behind on the shared broker.
    await sub.client.publishAsync(`fs/v1/${id}/status`, '', { retain: true, qos: 1 });
    await sub.close();
  }
});

mosquitto.run();
