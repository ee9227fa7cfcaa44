/**
 * The Espruino build's OTA opt-in: without the `ota` option a bundle has no OTA code (the byte
 * budget is untouched); with it the bundle answers the ota-* commands through the core's extra
 * table and calls the loader's fsConfirmBoot() once its birth is acknowledged, and never calls
 * clearTimeout() without an id (that would clear the loader's rollback timer). Run in the vm
 * sandbox against a real broker; the loader's fsConfirmBoot and require("crypto") are stood in
 * for by a prelude (the sandbox has neither; ota-status needs no hashing).
 */
import * as assert from 'node:assert/strict';
import { test } from 'uvu';
import { buildEspruinoBundle } from '../../firmware/espruino/build.js';
import { EspruinoSandbox } from '../../firmware/espruino/sandbox.js';
import { loadDeviceConfig } from '../../hardware/config/index.js';
import { createWorld } from '../../hardware/virtual/world.js';
import { repoPath } from '../../lib/paths.js';
import { startTestBroker } from '../helpers/broker.js';
import { collect } from './collector.js';

const config = loadDeviceConfig(repoPath('hardware', 'devices', 'pico-desk.json'));

/** What the flasher's loader provides on a board: a trial record and fsConfirmBoot(). */
const LOADER_STAND_IN = `
var __fsStorage = require('Storage');
__fsStorage.writeJSON('.fsboot', { slot: 'b', fw: 'v2', size: 100, sha256: '${'ab'.repeat(32)}',
  trial: { since: 0, trialMs: 5000 }, previous: 'a', previousFw: 'v1', previousSize: 90 });
function fsConfirmBoot() {
  var record = __fsStorage.readJSON('.fsboot', true);
  delete record.trial;
  __fsStorage.writeJSON('.fsboot', record);
  __fsStorage.writeJSON('confirmed', (__fsStorage.readJSON('confirmed', true) || 0) + 1);
}
var __fsRequire = require;
require = function (name) { return name === 'crypto' ? {} : __fsRequire(name); };
`;

test('without the ota option the bundle carries no OTA code', async () => {
  const plain = await buildEspruinoBundle({ config, brokerUrl: 'mqtt://127.0.0.1:1' });
  const ota = await buildEspruinoBundle({
    config,
    brokerUrl: 'mqtt://127.0.0.1:1',
    ota: { trialMs: 5000 },
  });
  assert.doesNotMatch(plain.code, /ota-begin|fsConfirmBoot/);
  assert.match(ota.code, /ota-begin/);
  assert.match(ota.code, /fsConfirmBoot/);
  assert.ok(ota.bytes > plain.bytes);
  assert.doesNotMatch(
    ota.code,
    /clearTimeout\(\)/,
    'clearTimeout() would clear the rollback timer',
  );
});

test('with ota: ota-status through the extra table, fsConfirmBoot on the acknowledged birth', async () => {
  const broker = await startTestBroker();
  const sub = await collect(broker.url, config.id);
  const bundle = await buildEspruinoBundle({
    config,
    brokerUrl: broker.url,
    ota: { trialMs: 5000 },
  });
  const sandbox = new EspruinoSandbox({
    board: bundle.board,
    world: createWorld({ seed: 2 }),
    device: config,
    variables: bundle.board.espruinoVars ?? 5100,
  });
  try {
    sandbox.run(LOADER_STAND_IN, 'loader-stand-in.js');
    sandbox.run(bundle.code, `${config.id}.bundle.js`);
    await sub.waitFor((m) => m.kind === 'status' && m.payload.online === true, 10_000, 'birth');
    await sub.send(
      `fs/v1/${config.id}/cmd`,
      JSON.stringify({ id: 's1', name: 'ota-status', args: {} }),
    );
    const ack = await sub.waitFor((m) => m.kind === 'ack' && m.payload.id === 's1', 5000, 'ack');
    assert.deepEqual(ack.payload, {
      id: 's1',
      ok: true,
      result: { slot: 'b', fw: 'v2', sha256: 'ab'.repeat(32), trial: false, rolledBack: null },
    });
    assert.equal(sandbox.storage.confirmed, '1', 'fsConfirmBoot ran once, after the birth');
    await sub.send(`fs/v1/${config.id}/cmd`, '{"id":"c1","name":"ota-commit","args":{}}');
    const refused = await sub.waitFor((m) => m.kind === 'ack' && m.payload.id === 'c1', 5000);
    assert.deepEqual(refused.payload, {
      id: 'c1',
      ok: false,
      error: 'ota-commit refused: no transfer in progress',
    });
    // The bundle shortens property names: the OTA arguments must keep the contract's.
    await sub.send(
      `fs/v1/${config.id}/cmd`,
      JSON.stringify({
        id: 'b1',
        name: 'ota-begin',
        args: { fw: 'v3', size: 10, chunks: 1, sha256: 'cd'.repeat(32) },
      }),
    );
    const begun = await sub.waitFor((m) => m.kind === 'ack' && m.payload.id === 'b1', 5000);
    assert.deepEqual(begun.payload, { id: 'b1', ok: true, result: { slot: 'a' } });
  } finally {
    sandbox.dispose();
    await sub.close();
    await broker.close();
  }
});

test.run();
