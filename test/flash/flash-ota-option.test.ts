/** `fullstack flash --ota`: the bundle carries the OTA commands, so `fullstack ota` can update it. */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { checkEspruinoSyntax } from '../../firmware/espruino/syntax-check.js';
import { bundleFromConfig } from '../../firmware/flash/bundle-source.js';
import { DEFAULT_TRIAL_MS } from '../../firmware/ota/node-device.js';
import { repoPath } from '../../lib/paths.js';

const config = repoPath('hardware', 'devices', 'pico-desk.json');

test('without --ota the bundle has no OTA code; with it, the ota-* commands and still Espruino syntax', async () => {
  const plain = await bundleFromConfig(config, {});
  const ota = await bundleFromConfig(config, { otaTrialMs: DEFAULT_TRIAL_MS });
  assert.not.ok(plain.code.includes('ota-begin'), 'no OTA commands in a plain build');
  assert.ok(ota.code.includes('ota-begin'), 'the OTA build answers ota-begin');
  assert.ok(ota.code.length > plain.code.length);
  assert.equal(checkEspruinoSyntax(ota.code, ota.filename), []);
});

test.run();
