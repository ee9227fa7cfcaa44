import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { collectAfterStorms } from '../../gateway/storm-gc.js';
import { waitFor } from './gateway-helpers.js';

const test = suite('after a connection storm, one full collection');

test('collects once, after enough connections and a quiet spell; a trickle never triggers it', async () => {
  const collected: number[] = [];
  const storms = collectAfterStorms({
    minConnections: 3,
    quietMs: 50,
    onCollected: (ms) => collected.push(ms),
  });
  try {
    storms.connected();
    storms.connected();
    await new Promise((r) => setTimeout(r, 200));
    assert.equal(collected, [], 'two connections are no storm');
    storms.connected();
    await waitFor(() => collected.length === 1, 5000, 'the collection');
    await new Promise((r) => setTimeout(r, 200));
    assert.is(collected.length, 1, 'once per storm');
    // The loop runs on after it (the inspector session is gone, nothing is stuck).
    await new Promise((r) => setImmediate(r));
  } finally {
    storms.stop();
  }
});

test.run();
