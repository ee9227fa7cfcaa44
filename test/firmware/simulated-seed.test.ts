import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { reseeded } from '../../firmware/node/simulated-device.js';
import { loadDeviceConfig } from '../../hardware/config/index.js';
import { repoPath } from '../../lib/paths.js';

const sim1 = loadDeviceConfig(repoPath('hardware', 'devices', 'sim-1.json'));

test('a device run under another id gets its own seed, the same on every run', () => {
  const sim4 = reseeded(sim1, 'sim-4');
  const sim7 = reseeded(sim1, 'sim-7');
  assert.is.not(sim4.simulation?.seed, sim1.simulation?.seed);
  assert.is.not(sim4.simulation?.seed, sim7.simulation?.seed);
  assert.is(reseeded(sim1, 'sim-4').simulation?.seed, sim4.simulation?.seed);
  // Only the seed changes: the world settings and the parts stay those of the config.
  assert.equal(sim4.simulation?.world, sim1.simulation?.world);
  assert.equal(sim4.sensors, sim1.sensors);
});

test.run();
