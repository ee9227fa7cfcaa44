/**
 * No orphans even when `fullstack up` itself is killed with SIGKILL (no chance to stop its
 * children): Node-RED and the devices notice their parent is gone and stop by themselves.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { type RunningUp, startUp } from '../helpers/fullstack-up.js';

let up: RunningUp;

test.before(async () => {
  up = await startUp({ devices: 1 });
});

test.after(() => up?.cleanup());

test('children stop by themselves when fullstack up is killed with SIGKILL', async () => {
  const children = up.descendants();
  assert.ok(
    children.some((line) => / node-red$/.test(line)),
    children.join('\n'),
  );
  assert.ok(
    children.some((line) => /--id sim-1\b/.test(line)),
    children.join('\n'),
  );
  await up.stop('SIGKILL');
  let left = up.leftovers();
  for (let i = 0; i < 100 && left.length > 0; i++) {
    await new Promise((r) => setTimeout(r, 100));
    left = up.leftovers();
  }
  assert.equal(left, []);
});

test.run();
