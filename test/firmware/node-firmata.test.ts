/**
 * The node target on the virtual Firmata board: johnny-five + firmata-io over a real
 * pseudo-terminal (as a USB Arduino), and over serialport's mock binding (what --simulate uses).
 * The readings come from the board's simulated world through the Firmata protocol.
 */
import * as assert from 'node:assert/strict';
import { SerialPortMock } from 'serialport';
import { suite } from 'uvu';
import { FIRMATA_BAUD, startFirmataDevice } from '../../firmware/node/firmata-device.js';
import type { SerialLike } from '../../firmware/node/firmata-io.js';
import { startSimulatedDevice } from '../../firmware/node/simulated-device.js';
import { loadDeviceConfig } from '../../hardware/config/index.js';
import { createVirtualFirmataBoard } from '../../hardware/virtual/firmata/index.js';
import { repoPath } from '../../lib/paths.js';
import { startTestBroker } from '../helpers/broker.js';
import { collect } from './collector.js';

const test = suite('node target on the virtual Firmata board');

test('over a pseudo-terminal: birth, readings from the world, a command that drives a pin', async () => {
  const broker = await startTestBroker();
  const config = loadDeviceConfig(repoPath('hardware', 'devices', 'sim-1.json'));
  const board = createVirtualFirmataBoard({ device: config });
  board.world.setTemperature(30);
  const pty = await board.openPty();
  const sub = await collect(broker.url, 'pty-1');
  const device = await startFirmataDevice({
    config,
    port: pty.path,
    brokerUrl: broker.url,
    id: 'pty-1',
  });
  try {
    const birth = await sub.waitFor(
      (m) => m.kind === 'status' && m.payload.online === true,
      10_000,
      'birth',
    );
    assert.equal(birth.payload.board, 'uno');
    const reading = await sub.waitFor(
      (m) =>
        m.kind === 'telemetry' &&
        typeof (m.payload.readings as Record<string, number>).temp === 'number',
      10_000,
      'a temperature reading',
    );
    const temp = (reading.payload.readings as { temp: number }).temp;
    assert.ok(
      Math.abs(temp - 30) < 0.6,
      `TMP36 through Firmata reads ${temp} °C for a 30 °C world`,
    );
    board.world.setTemperature(20);
    const after = await sub.waitFor(
      (m) =>
        m.kind === 'telemetry' &&
        Math.abs(((m.payload.readings as { temp?: number }).temp ?? 99) - 20) < 0.6,
      10_000,
      'the reading after the world cooled',
    );
    assert.ok((after.payload.seq as number) > (reading.payload.seq as number));
    await sub.send(
      'fs/v1/pty-1/cmd',
      JSON.stringify({ id: 'led-on', name: 'set', args: { actuator: 'fan_led', value: true } }),
    );
    const ack = await sub.waitFor(
      (m) => m.kind === 'ack' && m.payload.id === 'led-on',
      5000,
      'ack',
    );
    assert.equal(ack.payload.ok, true);
    await waitUntil(() => board.pinState('13').value === 1, 'pin 13 driven high');
    // A 40 ms press: Firmata reports the edge, the runtime samples at once (sampleMs is 50 by
    // default, so this would otherwise be a coin toss).
    board.world.pressButton('2', 40);
    const pressed = await sub.waitFor(
      (m) => m.kind === 'telemetry' && (m.payload.readings as { door?: boolean }).door === true,
      5000,
      'the door button press',
    );
    await sub.waitFor(
      (m) =>
        m.kind === 'telemetry' &&
        (m.payload.readings as { door?: boolean }).door === false &&
        (m.payload.seq as number) > (pressed.payload.seq as number),
      5000,
      'the release',
    );
  } finally {
    await device.stop();
    await pty.close();
    await board.close();
    await sub.close();
    await broker.close();
  }
});

test('--simulate: the mock binding, a servo and a BME280 over I2C', async () => {
  const broker = await startTestBroker();
  const sub = await collect(broker.url, 'sim-x');
  const config3 = loadDeviceConfig(repoPath('hardware', 'devices', 'sim-3.json'));
  const config2 = loadDeviceConfig(repoPath('hardware', 'devices', 'sim-2.json'));
  const hallway = await startSimulatedDevice({
    config: config3,
    brokerUrl: broker.url,
    id: 'sim-x',
  });
  const sub2 = await collect(broker.url, 'sim-y');
  const workshop = await startSimulatedDevice({
    config: config2,
    brokerUrl: broker.url,
    id: 'sim-y',
  });
  try {
    assert.equal(hallway.simulation, 'virtual-firmata');
    await sub.send(
      'fs/v1/sim-x/cmd',
      JSON.stringify({ id: 's1', name: 'set', args: { actuator: 'vent', value: 135 } }),
    );
    const ack = await sub.waitFor(
      (m) => m.kind === 'ack' && m.payload.id === 's1',
      10_000,
      'servo ack',
    );
    assert.equal(ack.payload.ok, true);
    await waitUntil(
      () => hallway.virtualBoard?.pinState('9').value === 135,
      'servo on pin 9 at 135°',
    );
    const env = await sub2.waitFor(
      (m) =>
        m.kind === 'telemetry' &&
        typeof (m.payload.readings as Record<string, number>).env_pressure === 'number',
      10_000,
      'BME280 readings',
    );
    const readings = env.payload.readings as Record<string, number>;
    assert.ok(
      readings.env_pressure! > 900 && readings.env_pressure! < 1100,
      `pressure ${readings.env_pressure} hPa`,
    );
    assert.ok(readings.env_humidity! >= 0 && readings.env_humidity! <= 100);
    assert.ok(
      Math.abs(readings.env_temperature! - 17) < 5,
      `temperature ${readings.env_temperature}`,
    );
  } finally {
    await hallway.stop();
    await workshop.stop();
    await sub.close();
    await sub2.close();
    await broker.close();
  }
});

test('--simulate on a board with no virtual board model (ESP32): the world read directly', async () => {
  const broker = await startTestBroker();
  const sub = await collect(broker.url, 'garden-sim');
  const config = loadDeviceConfig(repoPath('hardware', 'devices', 'esp32-garden.json'));
  const device = await startSimulatedDevice({ config, brokerUrl: broker.url, id: 'garden-sim' });
  try {
    assert.equal(device.simulation, 'plain');
    device.world.setTemperature(12);
    const message = await sub.waitFor((m) => m.kind === 'telemetry', 10_000, 'telemetry');
    const readings = message.payload.readings as Record<string, number>;
    assert.ok(Math.abs(readings.soil! - 12) < 0.1, `DS18B20 ${readings.soil}`);
    assert.ok(Math.abs(readings.env_temperature! - 12) < 0.1, `BME280 ${readings.env_temperature}`);
    assert.equal(typeof readings.light, 'number');
  } finally {
    await device.stop();
    await sub.close();
    await broker.close();
  }
});

test('unplugging the board: the runtime says "unplugged" and reports the disconnect once', async () => {
  const broker = await startTestBroker();
  const sub = await collect(broker.url, 'unplug-1');
  const config = loadDeviceConfig(repoPath('hardware', 'devices', 'sim-1.json'));
  const board = createVirtualFirmataBoard({ device: config });
  const path = `/dev/fullstack-test-unplug-${process.pid}`;
  await board.attachMock(path);
  const disconnects: string[] = [];
  const port = new SerialPortMock({ path, baudRate: FIRMATA_BAUD }) as unknown as SerialLike;
  const device = await startFirmataDevice({
    config,
    port,
    brokerUrl: broker.url,
    id: 'unplug-1',
    onDisconnect: (reason) => disconnects.push(reason),
  });
  try {
    await sub.waitFor((m) => m.kind === 'status' && m.payload.online === true, 10_000, 'birth');
    board.unplug();
    const offline = await sub.waitFor(
      (m) => m.kind === 'status' && m.payload.online === false,
      5000,
      'offline',
    );
    assert.equal(offline.payload.reason, 'unplugged');
    await waitUntil(() => disconnects.length > 0, 'onDisconnect');
    await new Promise((resolve) => setTimeout(resolve, 200));
    assert.equal(disconnects.length, 1, disconnects.join(', '));
    assert.equal(device.state.connection, 'stopped');
  } finally {
    await device.stop();
    await board.close();
    await sub.close();
    await broker.close();
  }
});

async function waitUntil(check: () => boolean, what: string, timeoutMs = 5000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > end) throw new Error(`timed out: ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

test.run();
