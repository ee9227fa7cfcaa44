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

test('waits while the event loop is busy (under load V8 collects by itself)', async () => {
  const collected: number[] = [];
  const storms = collectAfterStorms({
    minConnections: 1,
    quietMs: 50,
    onCollected: (ms) => collected.push(ms),
  });
  try {
    storms.connected();
    // Busy for 400 ms: 10 ms of work per turn, the loop never idle.
    const until = Date.now() + 400;
    await new Promise<void>((resolve) => {
      const spin = () => {
        const end = Date.now() + 10;
        while (Date.now() < end) {
          // work
        }
        if (Date.now() < until) setImmediate(spin);
        else resolve();
      };
      spin();
    });
    assert.equal(collected, [], 'not while busy');
    await waitFor(() => collected.length === 1, 5000, 'the collection once idle');
  } finally {
    storms.stop();
  }
});

test.run();
