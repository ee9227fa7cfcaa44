/**
 * Coalesces bursts: `trigger()` runs `fn` at once if it has not run for `intervalMs`, else once
 * at the end of the interval (however many triggers came in between). A fleet snapshot per
 * telemetry message is fine for a few devices and a flood for hundreds; this keeps the
 * dashboard at most `intervalMs` behind while sending one snapshot per interval.
 */
import type { Clock, TimerId } from '../../lib/clock.js';

export class Coalescer {
  private lastRun = Number.NEGATIVE_INFINITY;
  private timer: TimerId | undefined;

  constructor(
    private readonly clock: Clock,
    private readonly intervalMs: number,
    private readonly fn: () => void,
  ) {}

  trigger(): void {
    if (this.timer !== undefined) return;
    const wait = this.lastRun + this.intervalMs - this.clock.now();
    if (wait <= 0) {
      this.run();
      return;
    }
    this.timer = this.clock.setTimeout(() => {
      this.timer = undefined;
      this.run();
    }, wait);
  }

  cancel(): void {
    this.clock.clearTimeout(this.timer);
    this.timer = undefined;
  }

  private run(): void {
    this.lastRun = this.clock.now();
    this.fn();
  }
}
