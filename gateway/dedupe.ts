/**
 * Duplicate detection by (device, boot, seq) in a sliding bitmap: seq rises by one per message
 * within a boot, so the last `size` seqs fit in size/8 bytes per device rather than a Set of
 * numbers (10,000 devices must fit in a small gateway). A seq older than the window is let
 * through: a possible duplicate is allowed by at-least-once, a lost reading is not.
 */
export class SeqWindow {
  private boot = Number.NaN;
  private max = -1;
  /** Allocated on the first telemetry: an idle device (birth only) costs no bitmap. */
  private bitmap: Uint8Array | undefined;

  constructor(private readonly size: number) {}

  private get bits(): Uint8Array {
    this.bitmap ??= new Uint8Array(Math.ceil(this.size / 8));
    return this.bitmap;
  }

  /**
   * After a restart: everything up to `seq` of `boot` was committed, so it counts as seen.
   */
  seed(boot: number, seq: number): void {
    this.boot = boot;
    this.max = seq;
    this.bits.fill(0xff);
  }

  /** True if (boot, seq) was seen before; otherwise records it and returns false. */
  isDuplicate(boot: number, seq: number): boolean {
    if (boot !== this.boot) {
      this.boot = boot;
      this.max = -1;
      this.bits.fill(0);
    }
    if (seq > this.max) {
      if (seq - this.max >= this.size) this.bits.fill(0);
      else for (let s = this.max + 1; s < seq; s++) this.clear(s);
      this.max = seq;
      this.mark(seq);
      return false;
    }
    if (this.max - seq >= this.size) return false;
    if (this.test(seq)) return true;
    this.mark(seq);
    return false;
  }

  /** Unmarks (boot, seq): it was not stored after all, so its next copy is no duplicate. */
  forget(boot: number, seq: number): void {
    if (boot === this.boot && seq <= this.max && this.max - seq < this.size) this.clear(seq);
  }

  // Bit i of the window is seq % size; no tuple per call (this runs for every reading).
  private mark(seq: number): void {
    const i = seq % this.size;
    const bits = this.bits;
    bits[i >> 3] = (bits[i >> 3] as number) | (1 << (i & 7));
  }

  private clear(seq: number): void {
    const i = seq % this.size;
    const bits = this.bits;
    bits[i >> 3] = (bits[i >> 3] as number) & ~(1 << (i & 7));
  }

  private test(seq: number): boolean {
    const i = seq % this.size;
    return ((this.bits[i >> 3] as number) & (1 << (i & 7))) !== 0;
  }
}
