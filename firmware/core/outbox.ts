/**
 * The device's telemetry outbox: a bounded ring preallocated at start in typed arrays (time,
 * flags, and one 32-bit float per reading channel, NaN for "not in this message"), so a board
 * never allocates while offline: Array.push slows quadratically on Espruino and every string
 * costs variables (shared/espruino.md). Seqs are consecutive, so the ring stores only the seq of
 * its head. Floats keep 7 significant digits: the runtime rounds each reading to its channel's
 * decimals when it formats the message.
 *
 * Every telemetry message goes through it, online or not: it leaves the ring only when the
 * broker acknowledged it (PUBACK). Messages sent but not acknowledged when the link dropped are
 * sent again after reconnect, in order, with the ones produced while offline, flagged
 * historical. When the ring is full the oldest message is dropped and counted.
 *
 * The counts are plain fields rather than methods: on Espruino a number costs nothing where a
 * function costs several variables.
 */

const ACKED = 1;
const HISTORICAL = 2;

export interface OutboxEntry {
  seq: number;
  ts: number;
  /** One value per channel, NaN where the message has no reading (booleans as 0 and 1). */
  values: number[];
  historical: boolean;
}

export interface Outbox {
  /** Adds a message (seq one more than the last); drops the oldest when full. `historical`
   *  marks one produced offline. */
  push(seq: number, ts: number, values: number[], historical: boolean): void;
  /** The next message not yet sent on this connection, or null. Marks it as sent. */
  takeNext(): OutboxEntry | null;
  /** The broker acknowledged `seq`; acknowledged messages at the head leave the ring. */
  ack(seq: number): void;
  /** The link dropped: everything sent but unacknowledged will be sent again, as historical. */
  rewind(): void;
  /** Messages held (sent or not). */
  size: number;
  /** Messages sent on this connection and not yet acknowledged. */
  inFlight: number;
  /** Messages dropped because the ring was full, since boot. */
  dropped: number;
}

/** A ring of `capacity` messages of `width` channels each. */
export function createOutbox(capacity: number, width: number): Outbox {
  const n = capacity < 1 ? 1 : Math.floor(capacity);
  const w = Math.max(width, 1);
  const times = new Float64Array(n);
  const flags = new Uint8Array(n);
  const values = new Float32Array(n * w);
  let head = 0;
  /** The seq of the message at the head. */
  let headSeq = 0;
  /** Entries [head, head + sent) have been handed out on this connection. */
  let sent = 0;

  function popHead(): void {
    if (sent > 0 && (flags[head] & ACKED) === 0) box.inFlight--;
    flags[head] = 0;
    headSeq++;
    head = (head + 1) % n;
    box.size--;
    if (sent > 0) sent--;
  }

  const box: Outbox = {
    size: 0,
    inFlight: 0,
    dropped: 0,
    push(seq, ts, row, historical) {
      if (box.size === n) {
        popHead();
        box.dropped++;
      }
      // Seqs are consecutive: a push names the head's seq when the ring is empty.
      if (box.size === 0) headSeq = seq;
      const i = (head + box.size) % n;
      times[i] = ts;
      for (let c = 0; c < w; c++) values[i * w + c] = c < row.length ? row[c] : Number.NaN;
      flags[i] = historical ? HISTORICAL : 0;
      box.size++;
    },
    takeNext() {
      while (sent < box.size) {
        const i = (head + sent) % n;
        sent++;
        if ((flags[i] & ACKED) === 0) {
          box.inFlight++;
          const row: number[] = [];
          for (let c = 0; c < w; c++) row.push(values[i * w + c]);
          return {
            seq: headSeq + sent - 1,
            ts: times[i],
            values: row,
            historical: (flags[i] & HISTORICAL) !== 0,
          };
        }
      }
      return null;
    },
    ack(seq) {
      const k = seq - headSeq;
      if (k >= 0 && k < sent) {
        const i = (head + k) % n;
        if ((flags[i] & ACKED) === 0) box.inFlight--;
        flags[i] = flags[i] | ACKED;
      }
      while (box.size > 0 && (flags[head] & ACKED) !== 0) popHead();
    },
    rewind() {
      for (let k = 0; k < box.size; k++) {
        const i = (head + k) % n;
        flags[i] = flags[i] | HISTORICAL;
      }
      sent = 0;
      box.inFlight = 0;
    },
  };
  return box;
}
