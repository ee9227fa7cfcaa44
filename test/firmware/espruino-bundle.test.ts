/**
 * The Espruino bundle of every shipped Espruino device config: built (esbuild, then the
 * whole-bundle syntax check), run in a vm sandbox with the Espruino globals it uses (net over a
 * real TCP socket to a real broker, pins, I2C1 with a BME280 model, OneWire with a DS18B20
 * model, Storage, process.memory), publishing its birth and telemetry, and answering a command.
 */
import * as assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import { suite } from 'uvu';
import { type Birth, checkStatus } from '../../contract/index.js';
import { birthParts } from '../../firmware/core/plan.js';
import { buildEspruinoBundle } from '../../firmware/espruino/build.js';
import { EspruinoSandbox } from '../../firmware/espruino/sandbox.js';
import {
  checkDeclarationOrder,
  checkEspruinoSyntax,
} from '../../firmware/espruino/syntax-check.js';
import { partCatalog } from '../../firmware/node/catalog-facts.js';
import { getBoard } from '../../hardware/boards/index.js';
import { loadDeviceConfig } from '../../hardware/config/index.js';
import { createWorld } from '../../hardware/virtual/world.js';
import { repoPath } from '../../lib/paths.js';
import { startTestBroker } from '../helpers/broker.js';
import { collect } from './collector.js';

const test = suite('Espruino bundles of the shipped configs');

const configs = readdirSync(repoPath('hardware', 'devices'))
  .filter((f) => f.endsWith('.json'))
  .map((f) => loadDeviceConfig(repoPath('hardware', 'devices', f)))
  .filter((c) => getBoard(c.board).target === 'espruino');

test('there are shipped Espruino configs to build', () => {
  assert.ok(configs.length >= 3, `found ${configs.map((c) => c.id).join(', ')}`);
});

for (const config of configs) {
  test(`${config.id} (${config.board}): builds, passes the syntax check, publishes in the sandbox`, async () => {
    const broker = await startTestBroker();
    const sub = await collect(broker.url, config.id);
    const world = createWorld({ seed: 4, light: 0.5 });
    world.setTemperature(23);
    const bundle = await buildEspruinoBundle({ config, brokerUrl: broker.url });
    assert.deepEqual(checkEspruinoSyntax(bundle.code, `${config.id}.bundle.js`), []);
    assert.deepEqual(checkDeclarationOrder(bundle.code, `${config.id}.bundle.js`), []);
    assert.doesNotMatch(
      bundle.code,
      /\bimport\b|\bexport\b|require\("(?!Storage|net|Wifi|EspruinoWiFi)/,
    );
    const sandbox = new EspruinoSandbox({
      board: bundle.board,
      world,
      device: config,
      variables: bundle.board.espruinoVars ?? 1700,
      usedVars: bundle.vars.total,
    });
    try {
      sandbox.run(bundle.code, `${config.id}.bundle.js`);
      const birth = await sub.waitFor(
        (m) => m.kind === 'status' && m.payload.online === true,
        10_000,
        'birth',
      );
      assert.equal(birth.payload.board, config.board);
      assert.equal(birth.payload.boot, 1);
      // The bundle's birth is in catalog form; the gateway's expansion of it is the birth the
      // node target sends for the same config.
      assert.deepEqual(
        birth.payload.parts,
        Object.fromEntries(
          [...config.sensors, ...config.actuators].map((part) => [part.id, part.part]),
        ),
      );
      const expanded = checkStatus(birth.payload, partCatalog());
      assert.ok(expanded.ok, expanded.ok ? '' : expanded.detail);
      const full = expanded.value as Birth;
      assert.deepEqual(
        [full.sensors, full.actuators],
        [birthParts(bundle.plan).sensors, birthParts(bundle.plan).actuators],
      );
      const first = await sub.waitFor((m) => m.kind === 'telemetry', 10_000, 'telemetry');
      const readings = first.payload.readings as Record<string, number | boolean>;
      for (const channel of birthParts(bundle.plan).sensors) {
        const value = readings[channel.id];
        assert.ok(
          value !== undefined,
          `${channel.id} in the first message: ${JSON.stringify(readings)}`,
        );
        if (channel.kind === 'temperature') {
          assert.ok(
            Math.abs((value as number) - 23) < 0.5,
            `${channel.id} = ${value} °C, world 23`,
          );
        }
        if (channel.kind === 'light') {
          const lux = world.readLux();
          assert.ok(
            Math.abs((value as number) - lux) < lux * 0.05 + 1,
            `${channel.id} = ${value} lx, world ${lux}`,
          );
        }
      }
      assert.equal(first.payload.seq, 1);
      const actuator = bundle.plan.actuators[0]!;
      const value = actuator.max === undefined ? true : actuator.max;
      await sub.send(
        `fs/v1/${config.id}/cmd`,
        JSON.stringify({ id: 'e1', name: 'set', args: { actuator: actuator.id, value } }),
      );
      const ack = await sub.waitFor((m) => m.kind === 'ack' && m.payload.id === 'e1', 5000, 'ack');
      assert.deepEqual(ack.payload, {
        id: 'e1',
        ok: true,
        result: { actuator: actuator.id, value },
      });
      const pinId = String(
        getBoard(config.board).pins.find(
          (p) => p.name === actuator.pin || p.aliases?.includes(actuator.pin),
        )?.id,
      );
      assert.ok(
        sandbox.writes.some((w) => w.pin === pinId),
        `a write to ${pinId}: ${JSON.stringify(sandbox.writes)}`,
      );
      await sub.send(`fs/v1/${config.id}/cmd`, '{"id":"e2","name":"set","args":');
      const bad = await sub.waitFor(
        (m) => m.kind === 'ack' && m.payload.id === 'e2',
        5000,
        'error ack',
      );
      assert.equal(bad.payload.ok, false);
      const sys = await sub.waitFor((m) => m.kind === 'sys', 5000, 'sys report');
      const memory = sys.payload.memory as { unit: string; free: number; total: number };
      assert.equal(memory.unit, 'vars');
      assert.ok(
        bundle.vars.total <= 900,
        `${config.id}: about ${bundle.vars.total} variables (the build's estimate)`,
      );
      assert.equal(
        memory.free,
        memory.total - bundle.vars.total,
        'process.memory() in the sys report',
      );
      assert.equal(sandbox.storage.fsboot, '1', 'the boot counter is in Storage');
      // Motion and buttons are watched (setWatch): an event is reported at once.
      const pir = config.sensors.find((s) => s.part === 'pir' || s.part === 'button');
      if (pir?.pin) {
        const channel = pir.part === 'pir' ? 'motion' : 'button';
        if (pir.part === 'pir') world.triggerMotion(pir.pin, 500);
        else world.pressButton(pir.pin, 500);
        const event = await sub.waitFor(
          (m) =>
            m.kind === 'telemetry' &&
            (m.payload.readings as Record<string, boolean>)[pir.id] === true,
          5000,
          `the ${channel} event on ${pir.pin}`,
        );
        assert.ok(event);
        const pinId = String(
          getBoard(config.board).pins.find(
            (p) => p.name === pir.pin || p.aliases?.includes(pir.pin!),
          )?.id,
        );
        assert.ok(
          sandbox.watched.includes(pinId),
          `setWatch on ${pinId}: ${sandbox.watched.join(', ')}`,
        );
      }
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
}

test('--explain: the bytes per source file add up to the bundle, and the same bundle is built', async () => {
  const has = (c: (typeof configs)[number], part: string) => c.sensors.some((s) => s.part === part);
  const config = configs.find((c) => has(c, 'bme280') && !has(c, 'ds18b20'));
  assert.ok(config);
  const plain = await buildEspruinoBundle({ config, brokerUrl: 'mqtt://127.0.0.1:1883' });
  const explained = await buildEspruinoBundle({
    config,
    brokerUrl: 'mqtt://127.0.0.1:1883',
    explain: true,
  });
  assert.equal(explained.code, plain.code, 'the source map changes nothing in the bundle');
  assert.deepEqual(plain.inputs, {});
  const inputs = explained.inputs;
  const sum = Object.values(inputs).reduce((a, b) => a + b, 0);
  assert.equal(sum, explained.bytes);
  // The MQTT client and the BME280 driver are in this bundle; the DS18B20 driver is not.
  assert.ok((inputs['firmware/espruino/mqtt-client.ts'] ?? 0) > 500, JSON.stringify(inputs));
  assert.ok((inputs['firmware/core/drivers/bme280.ts'] ?? 0) > 300, JSON.stringify(inputs));
  assert.equal(inputs['firmware/core/drivers/ds18b20.ts'], undefined);
  assert.ok((inputs[`${config.id}.entry.ts`] ?? 0) > 100, 'the plan data is the entry');
});

test.run();
