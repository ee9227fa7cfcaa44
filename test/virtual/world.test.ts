/** The simulated world: deterministic for a seed and a clock, scriptable, validated. */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import {
  createWorld,
  normalizePinKey,
  worldOptionsFromSimulation,
} from '../../hardware/virtual/world.js';
import { ManualClock } from '../../lib/clock.js';

const at = (hour: number) => new ManualClock(Date.UTC(2026, 5, 1, hour));

test('the same seed and time give the same temperature; another seed differs', () => {
  const a = createWorld({ seed: 42, clock: at(10) });
  const b = createWorld({ seed: 42, clock: at(10) });
  const c = createWorld({ seed: 43, clock: at(10) });
  assert.is(a.readTemperature(), b.readTemperature());
  assert.is.not(a.readTemperature(), c.readTemperature());
});

test('temperature drifts over the day: warmest mid-afternoon, coolest before dawn', () => {
  const options = { seed: 1, baseTemperature: 20, dailySwing: 8, noise: 0 };
  const afternoon = createWorld({ ...options, clock: at(15) }).readTemperature();
  const night = createWorld({ ...options, clock: at(3) }).readTemperature();
  const morning = createWorld({ ...options, clock: at(9) }).readTemperature();
  assert.ok(Math.abs(afternoon - 24) < 1e-9, `15:00 ${afternoon}`);
  assert.ok(Math.abs(night - 16) < 1e-9, `03:00 ${night}`);
  assert.ok(Math.abs(morning - 20) < 1e-9, `09:00 ${morning}`);
});

test('noise stays within its amplitude and changes smoothly', () => {
  const clock = at(9);
  const world = createWorld({ seed: 7, clock, baseTemperature: 20, dailySwing: 0, noise: 0.5 });
  let previous = world.readTemperature();
  let moved = false;
  for (let i = 0; i < 600; i++) {
    clock.advance(1000);
    const t = world.readTemperature();
    assert.ok(Math.abs(t - 20) <= 0.5, `within amplitude: ${t}`);
    assert.ok(Math.abs(t - previous) < 0.05, 'smooth from one second to the next');
    if (t !== previous) moved = true;
    previous = t;
  }
  assert.ok(moved, 'the noise moves');
});

test('setTemperature pins the value until null returns it to the drift', () => {
  const world = createWorld({ seed: 1, clock: at(12) });
  const changes: string[] = [];
  world.on('change', (c) => changes.push(c.kind));
  world.setTemperature(30);
  assert.is(world.readTemperature(), 30);
  world.setTemperature(null);
  assert.is.not(world.readTemperature(), 30);
  assert.equal(changes, ['temperature', 'temperature']);
});

test('light follows the sun unless set; lux spans dark to full sun', () => {
  assert.is(createWorld({ clock: at(0) }).readLight(), 0);
  assert.ok(createWorld({ clock: at(12) }).readLight() > 0.95);
  const world = createWorld({ clock: at(0) });
  world.setLight(1);
  assert.ok(Math.abs(world.readLux() - 99_999) < 1e-6);
  world.setLight(0);
  assert.is(world.readLux(), 0);
});

test('a button press lasts its duration on the clock; motion likewise', () => {
  const clock = at(12);
  const world = createWorld({ clock });
  const events: unknown[] = [];
  world.on('change', (c) => events.push(c));
  world.pressButton('D2', 100);
  assert.ok(world.isPressed(2) && world.isPressed('2'));
  clock.advance(99);
  assert.ok(world.isPressed('d2'));
  clock.advance(1);
  assert.not.ok(world.isPressed(2));
  world.triggerMotion('7', 2000);
  clock.advance(1999);
  assert.ok(world.isMotion(7));
  clock.advance(1);
  assert.not.ok(world.isMotion(7));
  assert.equal(events, [
    { kind: 'button', pin: '2', active: true },
    { kind: 'button', pin: '2', active: false },
    { kind: 'motion', pin: '7', active: true },
    { kind: 'motion', pin: '7', active: false },
  ]);
  world.holdButton('A0');
  clock.advance(60_000);
  assert.ok(world.isPressed('a0'));
  world.releaseButton('A0');
  assert.not.ok(world.isPressed('A0'));
  world.close();
  assert.is(clock.pending, 0);
});

test('pin keys: D5, 5 and "5" are one pin; analog names are upper-cased', () => {
  assert.is(normalizePinKey('D5'), '5');
  assert.is(normalizePinKey(5), '5');
  assert.is(normalizePinKey(' d05 '), '5');
  assert.is(normalizePinKey('a3'), 'A3');
});

test('bad settings are refused with the field, the value and what is allowed', () => {
  assert.throws(
    () => createWorld({ humidity: 140 }),
    /humidity 140 is out of range; allowed 0 to 100/,
  );
  assert.throws(() => createWorld().setLight(2), /light 2 is out of range; allowed 0 to 1/);
  assert.throws(
    () => worldOptionsFromSimulation({ world: { wind: 3 } }),
    /simulation.world.wind is not a world setting; allowed: baseTemperature, dailySwing, noise/,
  );
  assert.equal(worldOptionsFromSimulation({ seed: 4, world: { noise: 0.2, light: 0.8 } }), {
    seed: 4,
    noise: 0.2,
    light: 0.8,
  });
});

test('humidity and pressure wander only when their noise is set, within bounds', () => {
  const clock = new ManualClock(0);
  const still = createWorld({ clock, humidity: 50, pressure: 100000 });
  const moving = createWorld({
    clock,
    humidity: 50,
    pressure: 100000,
    humidityNoise: 4,
    pressureNoise: 120,
    noisePeriodMs: 1000,
  });
  const seen = new Set<string>();
  for (let i = 0; i < 20; i++) {
    clock.advance(500);
    assert.is(still.readHumidity(), 50);
    assert.is(still.readPressure(), 100000);
    const h = moving.readHumidity();
    const p = moving.readPressure();
    assert.ok(h >= 46 && h <= 54, `humidity ${h}`);
    assert.ok(p >= 99880 && p <= 100120, `pressure ${p}`);
    seen.add(`${h.toFixed(3)}/${p.toFixed(1)}`);
  }
  assert.ok(seen.size > 10, 'the values moved');
});

test.run();
