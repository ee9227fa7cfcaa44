/**
 * Time, injected. Everything that waits, retries or times out takes a Clock so that tests can
 * drive it (as MQTT.js's keepalive manager takes a timer object).
 */
export type TimerId = { readonly __timer: unique symbol } | number | object;

export interface Clock {
  now(): number;
  setTimeout(fn: () => void, ms: number): TimerId;
  clearTimeout(id: TimerId | undefined): void;
  setInterval(fn: () => void, ms: number): TimerId;
  clearInterval(id: TimerId | undefined): void;
}

export const systemClock: Clock = {
  now: () => Date.now(),
  setTimeout: (fn, ms) => setTimeout(fn, ms),
  clearTimeout: (id) => clearTimeout(id as NodeJS.Timeout | undefined),
  setInterval: (fn, ms) => setInterval(fn, ms),
  clearInterval: (id) => clearInterval(id as NodeJS.Timeout | undefined),
};

interface Scheduled {
  id: number;
  at: number;
  fn: () => void;
  every?: number;
}

/** A clock for tests: time moves only when `advance` is called; due timers fire in order. */
export class ManualClock implements Clock {
  private time: number;
  private nextId = 1;
  private timers: Scheduled[] = [];

  constructor(start = 0) {
    this.time = start;
  }

  now(): number {
    return this.time;
  }

  setTimeout(fn: () => void, ms: number): TimerId {
    return this.schedule(fn, ms);
  }

  setInterval(fn: () => void, ms: number): TimerId {
    return this.schedule(fn, ms, Math.max(1, ms));
  }

  clearTimeout(id: TimerId | undefined): void {
    this.timers = this.timers.filter((t) => t.id !== id);
  }

  clearInterval(id: TimerId | undefined): void {
    this.clearTimeout(id);
  }

  /** Number of timers waiting to fire. */
  get pending(): number {
    return this.timers.length;
  }

  /** Moves time forward by `ms`, firing every timer that falls due, in time order. */
  advance(ms: number): void {
    const end = this.time + ms;
    for (;;) {
      const next = this.timers.reduce<Scheduled | undefined>(
        (earliest, t) => (t.at <= end && (!earliest || t.at < earliest.at) ? t : earliest),
        undefined,
      );
      if (!next) break;
      this.time = next.at;
      if (next.every) next.at += next.every;
      else this.timers = this.timers.filter((t) => t !== next);
      next.fn();
    }
    this.time = end;
  }

  /** Advances in steps, letting promise callbacks run between timers (for async code). */
  async advanceAsync(ms: number, step = 1): Promise<void> {
    for (let done = 0; done < ms; done += step) {
      this.advance(Math.min(step, ms - done));
      await new Promise<void>((resolve) => setImmediate(resolve));
    }
  }

  private schedule(fn: () => void, ms: number, every?: number): TimerId {
    const id = this.nextId++;
    this.timers.push({ id, at: this.time + Math.max(0, ms), fn, every });
    return id;
  }
}
