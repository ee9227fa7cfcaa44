/**
 * Restart intensity, as in OTP: at most `maxRestarts` restarts within `withinMs`. One more and
 * the supervisor gives up and lets its parent decide.
 */
export interface Intensity {
  maxRestarts: number;
  withinMs: number;
}

export const DEFAULT_INTENSITY: Intensity = { maxRestarts: 3, withinMs: 5000 };

export class RestartWindow {
  private readonly times: number[] = [];

  constructor(private readonly intensity: Intensity) {}

  /** Records a restart at `now`; false when it is one too many for the window. */
  admit(now: number): boolean {
    this.prune(now);
    this.times.push(now);
    return this.times.length <= this.intensity.maxRestarts;
  }

  /** Restarts still inside the window at `now`. */
  recent(now: number): number {
    this.prune(now);
    return this.times.length;
  }

  private prune(now: number): void {
    while (this.times.length > 0 && now - (this.times[0] as number) >= this.intensity.withinMs) {
      this.times.shift();
    }
  }
}

export function validateIntensity(intensity: Intensity, where: string): void {
  if (!Number.isInteger(intensity.maxRestarts) || intensity.maxRestarts < 0) {
    throw new Error(`${where}.maxRestarts is ${intensity.maxRestarts}; allowed: an integer >= 0`);
  }
  if (!Number.isFinite(intensity.withinMs) || intensity.withinMs <= 0) {
    throw new Error(`${where}.withinMs is ${intensity.withinMs}; allowed: a number > 0`);
  }
}
