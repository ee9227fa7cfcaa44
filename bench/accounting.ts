/**
 * The benchmark's bookkeeping, kept apart from the I/O so a test can check it: what each
 * simulated device sent and got PUBACKed (one flag byte per seq), what the backend received
 * (one count per seq), the latency histogram, and the reconciliation of the two sides.
 */

/** A byte array indexed by seq that grows as seqs arrive (seqs start at 0 and are dense). */
export class SeqBytes {
  data: Uint8Array;
  length = 0;

  constructor(initial = 256) {
    this.data = new Uint8Array(initial);
  }

  get(seq: number): number {
    return seq < this.length ? (this.data[seq] as number) : 0;
  }

  /** Adds `value` (bitwise OR when `or`, else saturating add) at `seq`. */
  update(seq: number, value: number, or: boolean): void {
    if (seq >= this.data.length) {
      let size = this.data.length * 2;
      while (size <= seq) size *= 2;
      const grown = new Uint8Array(size);
      grown.set(this.data.subarray(0, this.length));
      this.data = grown;
    }
    if (seq >= this.length) this.length = seq + 1;
    const old = this.data[seq] as number;
    this.data[seq] = or ? old | value : Math.min(255, old + value);
  }

  /** A copy trimmed to the used length (what a worker posts back). */
  snapshot(): Uint8Array {
    return this.data.slice(0, this.length);
  }
}

export const SENT = 1;
export const ACKED = 2;

/** A histogram as posted between threads. */
export interface HistogramSnapshot {
  buckets: Uint32Array;
  overflow: number;
  max: number;
}

/** Latencies in whole milliseconds, 0..MAX_MS, plus a count of anything slower. */
export class LatencyHistogram {
  static readonly MAX_MS = 120_000;
  readonly buckets: Uint32Array;
  overflow = 0;
  count = 0;
  max = 0;

  constructor(snapshot?: HistogramSnapshot) {
    this.buckets = snapshot?.buckets ?? new Uint32Array(LatencyHistogram.MAX_MS + 1);
    if (snapshot) {
      for (const n of snapshot.buckets) this.count += n;
      this.overflow = snapshot.overflow;
      this.count += snapshot.overflow;
      this.max = snapshot.max;
    }
  }

  snapshot(): HistogramSnapshot {
    return { buckets: this.buckets, overflow: this.overflow, max: this.max };
  }

  /** p50, p99, max and the number of samples. */
  summary(): LatencySummary {
    return {
      p50: this.percentile(0.5),
      p99: this.percentile(0.99),
      max: this.max,
      samples: this.count,
    };
  }

  record(ms: number): void {
    const v = ms < 0 ? 0 : Math.round(ms);
    this.count++;
    if (v > this.max) this.max = v;
    if (v > LatencyHistogram.MAX_MS) this.overflow++;
    else this.buckets[v] = (this.buckets[v] as number) + 1;
  }

  merge(other: LatencyHistogram): void {
    for (let i = 0; i < other.buckets.length; i++) {
      this.buckets[i] = (this.buckets[i] as number) + (other.buckets[i] as number);
    }
    this.overflow += other.overflow;
    this.count += other.count;
    this.max = Math.max(this.max, other.max);
  }

  /** The smallest latency at or below which a fraction `p` (0..1) of the samples lie. */
  percentile(p: number): number {
    if (this.count === 0) return Number.NaN;
    const rank = Math.ceil(p * this.count);
    let seen = 0;
    for (let i = 0; i < this.buckets.length; i++) {
      seen += this.buckets[i] as number;
      if (seen >= rank) return i;
    }
    return this.max;
  }
}

export interface LatencySummary {
  p50: number;
  p99: number;
  max: number;
  samples: number;
}

export interface Reconciled {
  /** Readings the generator published. */
  sent: number;
  /** Of those, PUBACKed by the broker or gateway. */
  acked: number;
  /** Distinct (device, seq) the backend received. */
  received: number;
  /** PUBACKed, never seen by the backend: the at-least-once promise broken. */
  lost: number;
  /** Sent, never PUBACKed and never seen (the connection died first): not a broken promise. */
  unacked: number;
  /** Extra copies the backend received beyond the first. */
  duplicates: number;
  /** Received readings the generator never sent (a wrong seq or device: a bug somewhere). */
  unexpected: number;
}

/**
 * Joins the generator's flags with the backend's counts. Always sent = received + lost +
 * unacked, where received counts only readings that were sent.
 */
export function reconcile(
  sent: Map<string, Uint8Array>,
  received: Map<string, Uint8Array>,
): Reconciled {
  const out: Reconciled = {
    sent: 0,
    acked: 0,
    received: 0,
    lost: 0,
    unacked: 0,
    duplicates: 0,
    unexpected: 0,
  };
  for (const [device, flags] of sent) {
    const counts = received.get(device);
    for (let seq = 0; seq < flags.length; seq++) {
      const f = flags[seq] as number;
      const n = counts && seq < counts.length ? (counts[seq] as number) : 0;
      if (n > 1) out.duplicates += n - 1;
      if ((f & SENT) === 0) {
        if (n > 0) out.unexpected += 1;
        continue;
      }
      out.sent++;
      if (f & ACKED) out.acked++;
      if (n > 0) out.received++;
      else if (f & ACKED) out.lost++;
      else out.unacked++;
    }
    if (counts) {
      for (let seq = flags.length; seq < counts.length; seq++) {
        const n = counts[seq] as number;
        if (n > 0) out.unexpected += 1;
        if (n > 1) out.duplicates += n - 1;
      }
    }
  }
  for (const [device, counts] of received) {
    if (sent.has(device)) continue;
    for (const n of counts) {
      if (n > 0) out.unexpected += 1;
      if (n > 1) out.duplicates += n - 1;
    }
  }
  return out;
}
