import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Command } from 'commander';
import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { checkConfigs } from '../../cli/commands/check.js';
import { register as registerWiring } from '../../cli/commands/wiring.js';
import { listBoards, pinsWith } from '../../hardware/boards/index.js';
import {
  type DeviceConfig,
  listShippedDevices,
  loadDeviceConfig,
  shippedDevicePath,
  validateDeviceConfig,
} from '../../hardware/config/index.js';
import { planWiring, renderWiringSvg } from '../../hardware/wiring/index.js';

const test = suite('wiring diagrams');

function part(config: DeviceConfig, id: string) {
  const found = planWiring(config).parts.find((p) => p.id === id);
  if (!found) throw new Error(`no part ${id}`);
  return found.circuit;
}

const labels = (c: ReturnType<typeof part>) =>
  c.elements.map((e) => ({
    between: [c.terminals[e.from]?.label, c.terminals[e.to]?.label],
    parts: e.chain.map((x) => `${x.kind} ${x.label}`),
  }));

test('the plan draws each pull-up and divider the catalog asks for', () => {
  const pi = loadDeviceConfig(shippedDevicePath('pi-lab'));
  assert.equal(labels(part(pi, 'water')), [
    { between: ['VDD', 'DQ'], parts: ['resistor 4.7 kΩ pull-up'] },
  ]);
  // The Pi carries 1.8 kΩ pull-ups on I2C bus 1: none drawn, a note instead.
  assert.equal(part(pi, 'env').elements, []);
  assert.ok(part(pi, 'env').notes.includes('the board has 1.8 kΩ I2C pull-ups'));

  const sim1 = loadDeviceConfig(shippedDevicePath('sim-1'));
  assert.equal(labels(part(sim1, 'door')), [
    { between: ['VCC', 'SIG'], parts: ['resistor 10 kΩ pull-up'] },
    { between: ['SIG', 'GND'], parts: ['switch button'] },
  ]);
  assert.equal(labels(part(sim1, 'light')), [
    { between: ['VCC', 'SIG'], parts: ['ldr LDR GL5528'] },
    { between: ['SIG', 'GND'], parts: ['resistor 10 kΩ'] },
  ]);
  assert.equal(labels(part(sim1, 'fan_led')), [
    { between: ['SIG', 'GND'], parts: ['resistor 220 Ω', 'led LED'] },
  ]);

  const sim2 = loadDeviceConfig(shippedDevicePath('sim-2'));
  assert.equal(labels(part(sim2, 'env')), [
    { between: ['VIN', 'SDA'], parts: ['resistor 4.7 kΩ'] },
    { between: ['VIN', 'SCL'], parts: ['resistor 4.7 kΩ'] },
  ]);
  assert.equal(
    part(sim2, 'env').terminals.map((t) => t.net),
    [
      { kind: 'supply', rail: '3V3' },
      { kind: 'pin', pin: 'A4', role: 'sda' },
      { kind: 'pin', pin: 'A5', role: 'scl' },
      { kind: 'ground' },
    ],
  );
  const ntc = loadDeviceConfig(shippedDevicePath('pico-desk'));
  assert.equal(labels(part(ntc, 'temp')), [
    { between: ['VCC', 'SIG'], parts: ['resistor 10 kΩ'] },
    { between: ['SIG', 'GND'], parts: ['ntc NTC 10 kΩ'] },
  ]);
});

test('pins given by alias are drawn at their header name', () => {
  const config: DeviceConfig = {
    id: 'alias',
    board: 'uno',
    sensors: [{ id: 'door', part: 'button', pin: 'D2' }],
    actuators: [{ id: 'lamp', part: 'led', pin: 'd13' }],
  };
  assert.equal(part(config, 'door').terminals[1]?.net, { kind: 'pin', pin: '2', role: 'signal' });
  assert.equal(part(config, 'lamp').terminals[0]?.net, { kind: 'pin', pin: '13', role: 'signal' });
});

test('every shipped config renders as valid SVG with one wire per connection', () => {
  const parser = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: '' });
  for (const path of listShippedDevices()) {
    const config = loadDeviceConfig(path);
    const svg = renderWiringSvg(config);
    const valid = XMLValidator.validate(svg);
    assert.is(valid, true, `${path}: ${JSON.stringify(valid)}`);
    const doc = parser.parse(svg);
    assert.is(doc.svg.xmlns, 'http://www.w3.org/2000/svg', path);
    assert.ok(Number(doc.svg.width) > 400 && Number(doc.svg.height) > 300, path);
    const plan = planWiring(config);
    const pinWires = plan.parts
      .flatMap((p) => p.circuit.terminals)
      .filter((t) => t.net.kind === 'pin').length;
    const wires = [doc.svg.path].flat().filter((p: { class?: string }) => p.class === 'wire');
    // Each pin terminal has one routed wire; each supply terminal one drop from its rail; and
    // each rail one feed from the board.
    const supplyTerminals = plan.parts
      .flatMap((p) => p.circuit.terminals)
      .filter((t) => t.net.kind !== 'pin').length;
    const rails = [doc.svg.path]
      .flat()
      .filter((p: { class?: string }) => p.class === 'rail').length;
    assert.is(wires.length, pinWires + supplyTerminals + rails, path);
    for (const p of plan.parts)
      assert.ok(svg.includes(`>${p.title.slice(0, 40)}`), `${path}: ${p.title}`);
  }
});

test('every board can be drawn: a button, an LED and (where there is a bus) a BME280', () => {
  for (const board of listBoards()) {
    const digital = pinsWith(board, 'digital-in').filter(
      (p) => !p.capabilities.some((c) => c.startsWith('i2c')),
    );
    const out = digital.filter((p) => p.capabilities.includes('digital-out'));
    const config: DeviceConfig = {
      id: `all-${board.id}`,
      board: board.id,
      sensors: [{ id: 'door', part: 'button', pin: digital.at(-1)?.name as string }],
      actuators: [{ id: 'lamp', part: 'led', pin: out[0]?.name as string }],
    };
    if (board.i2c?.length) config.sensors.push({ id: 'env', part: 'bme280' });
    if (board.wifi) config.network = { wifi: { ssid: 'lab', password: 'password1' } };
    if (board.target === 'espruino') config.broker = { url: 'mqtt://10.0.0.1:1883' };
    assert.equal(validateDeviceConfig(config), [], board.id);
    const svg = renderWiringSvg(config);
    assert.is(XMLValidator.validate(svg), true, board.id);
    for (const name of [...(board.layout?.left ?? []), ...(board.layout?.right ?? [])]) {
      assert.ok(svg.includes(`>${name}`), `${board.id}: header pin ${name} is drawn`);
    }
  }
});

test('text in a config is escaped in the SVG', () => {
  const svg = renderWiringSvg({
    id: 'x',
    name: 'Tom & Jerry <lab>',
    board: 'uno',
    sensors: [],
    actuators: [],
  });
  assert.is(XMLValidator.validate(svg), true);
  assert.ok(svg.includes('Tom &amp; Jerry &lt;lab&gt;'));
});

test('fullstack check prints every problem as file:field: message and counts them', () => {
  const out: string[] = [];
  const err: string[] = [];
  const dir = mkdtempSync(join(tmpdir(), 'fs-check-'));
  try {
    const bad = join(dir, 'bad.json');
    writeFileSync(
      bad,
      JSON.stringify({
        id: 'bad',
        board: 'uno',
        sensors: [{ id: 't', part: 'tmp36', pin: '7' }],
        actuators: [{ id: 'l', part: 'led', pin: 'D99' }],
      }),
    );
    const good = shippedDevicePath('sim-1');
    const count = checkConfigs([bad, good], { out: (l) => out.push(l), err: (l) => err.push(l) });
    assert.is(count, 2);
    assert.equal(err, [
      `${bad}:sensors[0].pin: is "7": tmp36 (an analog sensor) needs an analog input (ADC), but pin 7 of Arduino Uno R3 cannot (analog-in pins: A0-A5)`,
      `${bad}:actuators[0].pin: is "D99": Arduino Uno R3 has no such pin (its pins: 0-13, A0-A5)`,
      '2 problems in 1 of 2 files',
    ]);
    assert.equal(out, [`${good}: ok (sim-1 on uno: 3 sensors, 1 actuator)`]);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('fullstack wiring --out writes the SVG; a config with problems is not drawn and exits 1', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'fs-wiring-'));
  const errors: string[] = [];
  const logs: string[] = [];
  const saved = { error: console.error, log: console.log, exitCode: process.exitCode };
  console.error = (line: string) => errors.push(line);
  console.log = (line: string) => logs.push(line);
  try {
    const program = new Command().exitOverride();
    registerWiring(program);
    const out = join(dir, 'sim-3.svg');
    await program.parseAsync(['wiring', shippedDevicePath('sim-3'), '--out', out], {
      from: 'user',
    });
    assert.is(XMLValidator.validate(readFileSync(out, 'utf8')), true);
    assert.equal(logs, [`wrote ${out}`]);
    assert.is(process.exitCode ?? 0, 0);

    const bad = join(dir, 'bad.json');
    writeFileSync(bad, JSON.stringify({ id: 'bad', board: 'unoo', sensors: [], actuators: [] }));
    const again = new Command().exitOverride();
    registerWiring(again);
    await again.parseAsync(['wiring', bad, '--out', join(dir, 'bad.svg')], { from: 'user' });
    assert.is(process.exitCode, 1);
    assert.match(errors[0] ?? '', `${bad}:board: is "unoo": not a known board`);
    assert.is(errors[1], `not drawn: ${bad} has 1 problem`);
  } finally {
    console.error = saved.error;
    console.log = saved.log;
    process.exitCode = saved.exitCode;
    rmSync(dir, { recursive: true, force: true });
  }
});

test.run();
