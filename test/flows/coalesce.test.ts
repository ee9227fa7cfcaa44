/** Coalescer: the first trigger runs at once, a burst after it runs once at the interval's end. */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { Coalescer } from '../../flows/lib/coalesce.js';
import { ManualClock } from '../../lib/clock.js';

test('runs at once, then at most once per interval, always after the last trigger', () => {
  const clock = new ManualClock(0);
  const runs: number[] = [];
  const c = new Coalescer(clock, 100, () => runs.push(clock.now()));
  c.trigger();
  assert.equal(runs, [0]);
  clock.advance(10);
  c.trigger();
  c.trigger();
  clock.advance(50);
  c.trigger();
  assert.equal(runs, [0], 'nothing more inside the interval');
  clock.advance(40);
  assert.equal(runs, [0, 100], 'one run for the whole burst, at the end of the interval');
  clock.advance(500);
  c.trigger();
  assert.equal(runs, [0, 100, 600], 'quiet long enough: at once again');
});

test('an interval of 0 runs on every trigger; cancel drops a pending run', () => {
  const clock = new ManualClock(0);
  let n = 0;
  const every = new Coalescer(clock, 0, () => n++);
  every.trigger();
  every.trigger();
  assert.is(n, 2);
  const later = new Coalescer(clock, 100, () => n++);
  later.trigger();
  later.trigger();
  later.cancel();
  clock.advance(200);
  assert.is(n, 3);
});

test.run();
