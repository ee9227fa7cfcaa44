import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { getBoard } from '../../hardware/boards/index.js';
import { getSensorPart } from '../../hardware/catalog/index.js';
import {
  ConfigError,
  listShippedDevices,
  loadDeviceConfig,
  readingChannels,
  sensorTiming,
  simulatedDevicePaths,
} from '../../hardware/config/index.js';
import { expectOne, uno } from './config-fixtures.js';

const test = suite('device configs');

test('readingChannels: one per quantity, BME280 env → env_temperature, env_humidity, env_pressure', () => {
  const config = uno({
    sensors: [
      { id: 'env', part: 'bme280' },
      { id: 'door', part: 'button', pin: '2' },
    ],
  });
  assert.equal(readingChannels(config), [
    {
      id: 'env_temperature',
      kind: 'temperature',
      unit: '°C',
      sensorId: 'env',
      quantity: 'temperature',
    },
    { id: 'env_humidity', kind: 'humidity', unit: '%', sensorId: 'env', quantity: 'humidity' },
    { id: 'env_pressure', kind: 'pressure', unit: 'hPa', sensorId: 'env', quantity: 'pressure' },
    { id: 'door', kind: 'button', unit: '', sensorId: 'door', quantity: 'button' },
  ]);
  expectOne(
    uno({
      sensors: [
        { id: 'env', part: 'bme280' },
        { id: 'env_pressure', part: 'tmp36', pin: 'A0' },
      ],
    }),
    'sensors[0].id: is "env": its reading env_pressure clashes with the id of sensors[1]',
  );
});

test('sensorTiming: the sensor, then the device reporting, then the defaults; booleans report each change', () => {
  const config = uno({ reporting: { maxReportMs: 30000 } });
  assert.equal(
    sensorTiming(config, { id: 't', part: 'tmp36', pin: 'A0' }, getSensorPart('tmp36')),
    {
      sampleMs: 1000,
      minReportMs: 1000,
      maxReportMs: 30000,
      deadband: 0,
    },
  );
  assert.is(
    sensorTiming(config, { id: 'b', part: 'button', pin: '2' }, getSensorPart('button'))
      .minReportMs,
    0,
  );
});

test('loadDeviceConfig throws a ConfigError holding every problem; bad JSON is one problem', () => {
  const dir = mkdtempSync(join(tmpdir(), 'fs-config-'));
  try {
    const file = join(dir, 'bad.json');
    writeFileSync(
      file,
      JSON.stringify(
        uno({
          sensors: [
            { id: 'a', part: 'tmp36', pin: '7' },
            { id: 'b', part: 'x' },
          ],
        }),
      ),
    );
    const error = (() => {
      try {
        loadDeviceConfig(file);
      } catch (e) {
        return e;
      }
    })();
    assert.instance(error, ConfigError);
    assert.is((error as ConfigError).problems.length, 2);
    assert.match((error as ConfigError).message, `${file}:sensors[0].pin: is "7"`);
    writeFileSync(file, '{ "id": ');
    assert.throws(() => loadDeviceConfig(file), /bad\.json: is not valid JSON/);
    assert.throws(() => loadDeviceConfig(join(dir, 'none.json')), /none\.json: cannot be read/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('every shipped device config validates, and its id is its file name', () => {
  const paths = listShippedDevices();
  assert.ok(paths.length >= 8, paths.join(', '));
  const targets = new Set<string>();
  for (const path of paths) {
    const config = loadDeviceConfig(path);
    assert.is(`${config.id}.json`, basename(path));
    targets.add(getBoard(config.board).target);
    if (getBoard(config.board).target === 'espruino') assert.ok(config.sensors.length <= 3, path);
  }
  assert.equal([...targets].sort(), ['espruino', 'node-firmata', 'node-raspi']);
  for (const board of ['rpi4', 'uno', 'esp8266', 'esp32', 'pico']) {
    assert.ok(
      paths.some((p) => loadDeviceConfig(p).board === board),
      `a config for ${board}`,
    );
  }
});

test('the three simulated devices: Uno boards with temperature, light, button or PIR, and an actuator', () => {
  const names = [];
  for (const path of simulatedDevicePaths(3)) {
    const config = loadDeviceConfig(path);
    names.push(config.name);
    assert.is(config.board, 'uno');
    const kinds = readingChannels(config).map((c) => c.kind);
    assert.ok(kinds.includes('temperature') && kinds.includes('light'), path);
    assert.ok(kinds.includes('button') || kinds.includes('motion'), path);
    assert.ok(
      config.actuators.some((a) => ['led', 'relay', 'servo'].includes(a.part)),
      path,
    );
  }
  assert.equal(names, ['Greenhouse', 'Workshop', 'Hallway']);
  assert.throws(
    () => simulatedDevicePaths(5),
    /5 simulated devices asked for, but only 3 are defined/,
  );
});

test.run();
