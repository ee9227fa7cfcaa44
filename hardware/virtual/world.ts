/**
 * The simulated physical world around virtual boards: air temperature, humidity and pressure,
 * light, buttons and motion. Deterministic for a seed and a Clock, so a test that advances a
 * ManualClock sees the same readings every run.
 *
 * - Temperature drifts over the day (coolest at 03:00, warmest at 15:00, UTC of clock.now())
 *   plus smooth noise; `setTemperature(c)` pins it to exactly c until `setTemperature(null)`.
 * - Light (0 dark … 1 full sun) follows the sun between 06:00 and 18:00 unless set.
 * - Buttons and PIR sensors are keyed by pin name ("2", "D2" and 2 are the same pin; "A0").
 *   Every change emits 'change', so boards report inputs at once rather than on the next poll.
 */
import { EventEmitter } from 'node:events';
import { type Clock, systemClock, type TimerId } from '../../lib/clock.js';

export interface WorldOptions {
  /** Seed for the noise (default 1). */
  seed?: number;
  clock?: Clock;
  /** Mean temperature over the day, °C (default 21). */
  baseTemperature?: number;
  /** Difference between the day's warmest and coolest moment, °C (default 4). */
  dailySwing?: number;
  /** Largest temperature noise excursion, °C (default 0.3). */
  noise?: number;
  /** Relative humidity, % (default 45). */
  humidity?: number;
  /** Air pressure, Pa (default 101325). */
  pressure?: number;
  /** Fixed light level 0-1; absent: follows the sun. */
  light?: number;
  /** How long the noise takes to wander from one value to the next, ms (default 60000). A
   *  demo sets it short so that readings visibly move; tests keep the slow default. */
  noisePeriodMs?: number;
  /** Largest excursion of a fixed light level, 0-1 (default 0: a fixed level stays exact).
   *  Passing clouds, for a demo. */
  lightNoise?: number;
  /** Largest excursion of the humidity, % (default 0: stays as set). */
  humidityNoise?: number;
  /** Largest excursion of the pressure, Pa (default 0: stays as set). */
  pressureNoise?: number;
}

export type WorldChange =
  | { kind: 'temperature' | 'humidity' | 'pressure' | 'light' }
  | { kind: 'button' | 'motion'; pin: string; active: boolean };

const DAY_MS = 24 * 3600_000;
const NOISE_STEP_MS = 60_000;

/** "D5", 5 and "5" name the same pin; analog names are upper-cased ("a0" → "A0"). */
export function normalizePinKey(pin: string | number): string {
  const text = String(pin).trim().toUpperCase();
  const digital = /^D?(\d+)$/.exec(text);
  return digital ? String(Number(digital[1])) : text;
}

/** A 32-bit integer hash (from the mulberry32 generator's mixing step) mapped to [-1, 1]. */
function hashUnit(seed: number, n: number): number {
  let t = (seed * 0x9e3779b1 + n * 0x85ebca6b) | 0;
  t = Math.imul(t ^ (t >>> 15), t | 1);
  t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
  return (((t ^ (t >>> 14)) >>> 0) / 4294967296) * 2 - 1;
}

function checkNumber(field: string, value: number, min: number, max: number): number {
  if (typeof value !== 'number' || !Number.isFinite(value) || value < min || value > max) {
    throw new Error(`world: ${field} ${String(value)} is out of range; allowed ${min} to ${max}`);
  }
  return value;
}

export class World extends EventEmitter<{ change: [WorldChange] }> {
  readonly clock: Clock;
  private readonly seed: number;
  private readonly base: number;
  private readonly swing: number;
  private readonly noise: number;
  private readonly noisePeriodMs: number;
  private readonly lightNoise: number;
  private readonly humidityNoise: number;
  private readonly pressureNoise: number;
  private humidity: number;
  private pressure: number;
  private fixedTemperature: number | null = null;
  private fixedLight: number | null;
  private readonly buttons = new Map<string, { active: boolean; timer?: TimerId }>();
  private readonly motion = new Map<string, { active: boolean; timer?: TimerId }>();

  constructor(options: WorldOptions = {}) {
    super();
    // Every board powered in this world listens for changes; many boards may share one world.
    this.setMaxListeners(0);
    this.clock = options.clock ?? systemClock;
    this.seed = options.seed ?? 1;
    this.base = checkNumber('baseTemperature', options.baseTemperature ?? 21, -55, 125);
    this.swing = checkNumber('dailySwing', options.dailySwing ?? 4, 0, 60);
    this.noise = checkNumber('noise', options.noise ?? 0.3, 0, 10);
    this.noisePeriodMs = checkNumber(
      'noisePeriodMs',
      options.noisePeriodMs ?? NOISE_STEP_MS,
      100,
      DAY_MS,
    );
    this.lightNoise = checkNumber('lightNoise', options.lightNoise ?? 0, 0, 1);
    this.humidityNoise = checkNumber('humidityNoise', options.humidityNoise ?? 0, 0, 50);
    this.pressureNoise = checkNumber('pressureNoise', options.pressureNoise ?? 0, 0, 5000);
    this.humidity = checkNumber('humidity', options.humidity ?? 45, 0, 100);
    this.pressure = checkNumber('pressure', options.pressure ?? 101325, 30000, 110000);
    this.fixedLight =
      options.light === undefined ? null : checkNumber('light', options.light, 0, 1);
  }

  /** Smooth noise in [-1, 1]: hashed values every noise period, interpolated between. */
  private smoothNoise(channel: number): number {
    const t = this.clock.now() / this.noisePeriodMs;
    const i = Math.floor(t);
    const f = t - i;
    const a = hashUnit(this.seed + channel * 7919, i);
    const b = hashUnit(this.seed + channel * 7919, i + 1);
    return a + (b - a) * (f * f * (3 - 2 * f));
  }

  /** Fraction of the day in [0, 1), UTC. */
  private dayFraction(): number {
    return (((this.clock.now() % DAY_MS) + DAY_MS) % DAY_MS) / DAY_MS;
  }

  readTemperature(): number {
    if (this.fixedTemperature !== null) return this.fixedTemperature;
    // sin peaks a quarter period after 09:00, at 15:00; its trough is at 03:00.
    const daily = (this.swing / 2) * Math.sin(2 * Math.PI * (this.dayFraction() - 9 / 24));
    return this.base + daily + this.noise * this.smoothNoise(1);
  }

  /** Pins the temperature to exactly `celsius`; null returns to the daily drift. */
  setTemperature(celsius: number | null): void {
    this.fixedTemperature = celsius === null ? null : checkNumber('temperature', celsius, -55, 125);
    this.emit('change', { kind: 'temperature' });
  }

  readHumidity(): number {
    if (this.humidityNoise === 0) return this.humidity;
    return Math.min(100, Math.max(0, this.humidity + this.humidityNoise * this.smoothNoise(3)));
  }

  setHumidity(percent: number): void {
    this.humidity = checkNumber('humidity', percent, 0, 100);
    this.emit('change', { kind: 'humidity' });
  }

  /** Air pressure in Pa. */
  readPressure(): number {
    if (this.pressureNoise === 0) return this.pressure;
    return this.pressure + this.pressureNoise * this.smoothNoise(4);
  }

  setPressure(pascal: number): void {
    this.pressure = checkNumber('pressure', pascal, 30000, 110000);
    this.emit('change', { kind: 'pressure' });
  }

  /** Light level, 0 (dark) to 1 (full sun). */
  readLight(): number {
    if (this.fixedLight !== null) {
      if (this.lightNoise === 0) return this.fixedLight;
      return Math.min(1, Math.max(0, this.fixedLight + this.lightNoise * this.smoothNoise(2)));
    }
    // Half a sine between 06:00 and 18:00, dark at night, with a little flicker.
    const daylight = Math.max(0, Math.sin(Math.PI * ((this.dayFraction() * 24 - 6) / 12)));
    return Math.min(1, Math.max(0, daylight + 0.02 * this.smoothNoise(2)));
  }

  /**
   * Illuminance for the light level, lx: 10^(5·level) − 1, so 0 is dark, 0.4 about 100 lx
   * (a dim room), 0.6 1000 lx (overcast daylight) and 1 is 100 000 lx (full sun).
   */
  readLux(): number {
    return 10 ** (5 * this.readLight()) - 1;
  }

  /** Fixes the light level (0-1); null returns to following the sun. */
  setLight(level: number | null): void {
    this.fixedLight = level === null ? null : checkNumber('light', level, 0, 1);
    this.emit('change', { kind: 'light' });
  }

  /** Presses the button on `pin` for `ms` (default 100), then releases it. */
  pressButton(pin: string | number, ms = 100): void {
    this.setTimed(this.buttons, 'button', pin, checkNumber('press duration', ms, 0, DAY_MS));
  }

  holdButton(pin: string | number): void {
    this.setTimed(this.buttons, 'button', pin, null);
  }

  releaseButton(pin: string | number): void {
    this.clearTimed(this.buttons, 'button', normalizePinKey(pin));
  }

  isPressed(pin: string | number): boolean {
    return this.buttons.get(normalizePinKey(pin))?.active ?? false;
  }

  /** A PIR sensor on `pin` sees motion and holds its output high for `ms` (default 2000). */
  triggerMotion(pin: string | number, ms = 2000): void {
    this.setTimed(this.motion, 'motion', pin, checkNumber('motion duration', ms, 0, DAY_MS));
  }

  isMotion(pin: string | number): boolean {
    return this.motion.get(normalizePinKey(pin))?.active ?? false;
  }

  /** Cancels pending releases (buttons, motion) so no timer outlives the test. */
  close(): void {
    for (const map of [this.buttons, this.motion]) {
      for (const state of map.values()) this.clock.clearTimeout(state.timer);
      map.clear();
    }
    this.removeAllListeners();
  }

  private setTimed(
    map: Map<string, { active: boolean; timer?: TimerId }>,
    kind: 'button' | 'motion',
    pin: string | number,
    ms: number | null,
  ): void {
    const key = normalizePinKey(pin);
    const previous = map.get(key);
    this.clock.clearTimeout(previous?.timer);
    const timer =
      ms === null ? undefined : this.clock.setTimeout(() => this.clearTimed(map, kind, key), ms);
    map.set(key, { active: true, timer });
    if (!previous?.active) this.emit('change', { kind, pin: key, active: true });
  }

  private clearTimed(
    map: Map<string, { active: boolean; timer?: TimerId }>,
    kind: 'button' | 'motion',
    key: string,
  ): void {
    const state = map.get(key);
    if (!state) return;
    this.clock.clearTimeout(state.timer);
    map.delete(key);
    if (state.active) this.emit('change', { kind, pin: key, active: false });
  }
}

export function createWorld(options: WorldOptions = {}): World {
  return new World(options);
}

/** Keys a device config's `simulation.world` may set. */
export const WORLD_SETTINGS = [
  'baseTemperature',
  'dailySwing',
  'noise',
  'humidity',
  'pressure',
  'light',
  'noisePeriodMs',
  'lightNoise',
  'humidityNoise',
  'pressureNoise',
] as const;

/** World options from a device config's `simulation` block; unknown keys are an error. */
export function worldOptionsFromSimulation(
  simulation: { seed?: number; world?: Record<string, number> } | undefined,
): WorldOptions {
  const settings = simulation?.world ?? {};
  for (const key of Object.keys(settings)) {
    if (!(WORLD_SETTINGS as readonly string[]).includes(key)) {
      throw new Error(
        `simulation.world.${key} is not a world setting; allowed: ${WORLD_SETTINGS.join(', ')}`,
      );
    }
  }
  return { ...(simulation?.seed !== undefined ? { seed: simulation.seed } : {}), ...settings };
}
