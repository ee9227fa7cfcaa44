/** Alert rules: validation, threshold with hysteresis (above and below), stale data. */

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { AlertLog } from '../../flows/lib/alert-log.js';
import { AlertEngine, parseRules, RecentAlertEvents } from '../../flows/lib/alerts.js';

test('parseRules names the rule and the field of every problem', () => {
  const cases: Array<[unknown, RegExp]> = [
    [{}, /must be a JSON array/],
    [[{ type: 'threshold' }], /rule 0: "id" must be a non-empty string/],
    [
      [{ id: 'a', type: 'threshold', sensor: 't', above: 'x' }],
      /rule "a": "above" is "x", expected a number/,
    ],
    [[{ id: 'a', type: 'stale', minutes: 0 }], /"minutes" is 0, expected more than 0/],
    [[{ id: 'a', type: 'nope' }], /type "nope" is not "threshold" or "stale"/],
    [
      [{ id: 'a', type: 'stale', minutes: 1, severity: 'panic' }],
      /severity "panic" is not one of info, warning, critical/,
    ],
    [
      [
        { id: 'a', type: 'stale', minutes: 1 },
        { id: 'a', type: 'stale', minutes: 2 },
      ],
      /id "a" is used twice/,
    ],
  ];
  for (const [input, pattern] of cases) assert.throws(() => parseRules(input), pattern);
  assert.equal(parseRules([{ id: 'a', type: 'stale', minutes: 1 }]), [
    { id: 'a', type: 'stale', device: '*', minutes: 1, severity: 'warning' },
  ]);
});

test('threshold above: raised once, cleared only past the hysteresis', () => {
  const engine = new AlertEngine(
    parseRules([{ id: 'hot', type: 'threshold', sensor: 't', above: 30, hysteresis: 2 }]),
  );
  const states = [25, 31, 35, 29, 28.5, 28, 31].map((v, i) =>
    engine.onReadings('a', { t: v }, i).map((e) => `${e.state}@${v}`),
  );
  assert.equal(states.flat(), ['raised@31', 'cleared@28', 'raised@31']);
  assert.equal(
    engine.activeAlerts().map((a) => a.key),
    ['hot:a'],
  );
});

test('threshold below, per device; other devices and sensors are ignored', () => {
  const engine = new AlertEngine(
    parseRules([
      { id: 'cold', type: 'threshold', device: 'a', sensor: 't', below: 0, hysteresis: 1 },
    ]),
  );
  assert.equal(engine.onReadings('b', { t: -5 }, 1), []);
  assert.equal(engine.onReadings('a', { u: -5 }, 1), []);
  assert.is(engine.onReadings('a', { t: -1 }, 2)[0]?.state, 'raised');
  assert.equal(engine.onReadings('a', { t: 0.5 }, 3), []);
  assert.is(engine.onReadings('a', { t: 1 }, 4)[0]?.state, 'cleared');
});

test('stale: raised after N minutes without data, cleared by the next reading', () => {
  const engine = new AlertEngine(parseRules([{ id: 'silent', type: 'stale', minutes: 5 }]));
  engine.watch('a', 0);
  engine.onReadings('b', { t: 1 }, 60_000);
  assert.equal(engine.tick(4 * 60_000), []);
  assert.equal(
    engine.tick(5 * 60_000).map((e) => [e.device, e.state]),
    [['a', 'raised']],
  );
  assert.equal(engine.tick(5 * 60_000 + 1000), [], 'raised once');
  assert.equal(
    engine.tick(6 * 60_000).map((e) => e.device),
    ['b'],
  );
  const cleared = engine.onReadings('a', { t: 2 }, 7 * 60_000);
  assert.equal(
    cleared.map((e) => [e.device, e.state]),
    [['a', 'cleared']],
  );
  assert.equal(
    engine.activeAlerts().map((a) => a.device),
    ['b'],
  );
});

test('RecentAlertEvents: newest first, at most max', () => {
  const engine = new AlertEngine(
    parseRules([{ id: 'hot', type: 'threshold', sensor: 't', above: 1 }]),
  );
  const recent = new RecentAlertEvents(3);
  recent.add(engine.onReadings('a', { t: 5 }, 1));
  recent.add([...engine.onReadings('a', { t: 0 }, 2), ...engine.onReadings('b', { t: 5 }, 3)]);
  assert.equal(
    recent.all().map((e) => [e.device, e.state, e.ts]),
    [
      ['b', 'raised', 3],
      ['a', 'cleared', 2],
      ['a', 'raised', 1],
    ],
  );
  recent.add(engine.onReadings('b', { t: 0 }, 4));
  assert.equal(
    recent.all().map((e) => e.ts),
    [4, 3, 2],
  );
});

test('AlertLog: a restarted engine clears what was raised before and does not raise it again', () => {
  const dir = mkdtempSync(join(tmpdir(), 'fs-alert-log-'));
  try {
    const rules = parseRules([
      { id: 'hot', type: 'threshold', sensor: 't', above: 30, hysteresis: 2 },
      { id: 'quiet', type: 'stale', minutes: 1 },
    ]);
    const file = join(dir, 'readings.db');
    const before = new AlertEngine(rules);
    const log = new AlertLog(file, 4);
    log.record(before.onReadings('a', { t: 31 }, 1));
    log.record(before.onReadings('b', { t: 31 }, 2));
    log.record(before.onReadings('b', { t: 20 }, 3));
    log.close();

    const reopened = new AlertLog(file, 4);
    assert.equal(
      reopened.active().map((a) => a.key),
      ['hot:a'],
    );
    assert.equal(
      reopened.recent(10).map((e) => [e.key, e.state]),
      [
        ['hot:b', 'cleared'],
        ['hot:b', 'raised'],
        ['hot:a', 'raised'],
      ],
    );
    const after = new AlertEngine(rules);
    after.restore(reopened.active());
    assert.equal(after.onReadings('a', { t: 32 }, 4), [], 'still above: not raised twice');
    assert.equal(
      after.onReadings('a', { t: 27 }, 5).map((e) => [e.key, e.state]),
      [['hot:a', 'cleared']],
    );
    // Bounded: only the newest `keep` (4) events stay.
    reopened.record(after.onReadings('c', { t: 40 }, 6));
    reopened.record(after.onReadings('c', { t: 10 }, 7));
    assert.is(reopened.recent(10).length, 4);
    // A rule that no longer exists is not restored.
    const withoutHot = new AlertEngine(parseRules([{ id: 'quiet', type: 'stale', minutes: 1 }]));
    withoutHot.restore([{ ...reopened.recent(1)[0]!, state: 'raised' }]);
    assert.equal(withoutHot.activeAlerts(), []);
    reopened.close();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test.run();
