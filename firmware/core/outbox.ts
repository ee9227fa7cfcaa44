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
  /** Where its values are: channel c at `values[slot * w + c]`. */
  slot: number;
  historical: boolean;
}

/**
 * The ring: a record, and the functions below that work on it (rather than an object of
 * closures: on a board a closure two functions deep costs more variables than a function at
 * the top of the bundle, and the minifier inlines those used once).
 */
export interface Outbox {
  /** Messages held (sent or not). */
  count: number;
  /** Messages sent on this connection and not yet acknowledged. */
  inFlight: number;
  /** Messages dropped because the ring was full, since boot. */
  dropped: number;
  /** The ring's own: capacity, channels per message, the arrays, the head's index and seq,
   *  and how many from the head have been handed out on this connection. */
  n: number;
  w: number;
  times: Float64Array;
  flags: Uint8Array;
  values: Float32Array;
  head: number;
  headSeq: number;
  sent: number;
}

/** A ring of `capacity` messages of `width` channels each. */
export function createOutbox(capacity: number, width: number): Outbox {
  const n = capacity < 1 ? 1 : Math.floor(capacity);
  const w = Math.max(width, 1);
  return {
    count: 0,
    inFlight: 0,
    dropped: 0,
    n,
    w,
    times: new Float64Array(n),
    flags: new Uint8Array(n),
    values: new Float32Array(n * w),
    head: 0,
    headSeq: 0,
    sent: 0,
  };
}

function popHead(box: Outbox): void {
  if (box.sent > 0 && (box.flags[box.head] & ACKED) === 0) box.inFlight--;
  box.flags[box.head] = 0;
  box.headSeq++;
  box.head = (box.head + 1) % box.n;
  box.count--;
  if (box.sent > 0) box.sent--;
}

/** Adds a message (seq one more than the last); drops the oldest when full. `historical`
 *  marks one produced offline. Returns its slot, whose values the caller writes (`values[slot * w + c]`):
 *  one value per channel, NaN where the message has no reading, booleans as 0 and 1. A slot is
 *  written in place rather than copied from a row, which would be one more array per message. */
export function outboxPush(box: Outbox, seq: number, ts: number, historical: boolean): number {
  if (box.count === box.n) {
    popHead(box);
    box.dropped++;
  }
  // Seqs are consecutive: a push names the head's seq when the ring is empty.
  if (box.count === 0) box.headSeq = seq;
  const i = (box.head + box.count) % box.n;
  box.times[i] = ts;
  box.flags[i] = historical ? HISTORICAL : 0;
  box.count++;
  return i;
}

/** The next message not yet sent on this connection, or null. Marks it as sent. */
export function outboxTakeNext(box: Outbox): OutboxEntry | null {
  const flags = box.flags;
  while (box.sent < box.count) {
    const i = (box.head + box.sent) % box.n;
    box.sent++;
    if ((flags[i] & ACKED) === 0) {
      box.inFlight++;
      return {
        seq: box.headSeq + box.sent - 1,
        ts: box.times[i],
        slot: i,
        historical: (flags[i] & HISTORICAL) !== 0,
      };
    }
  }
  return null;
}

/** The broker acknowledged `seq`; acknowledged messages at the head leave the ring. */
export function outboxAck(box: Outbox, seq: number): void {
  const flags = box.flags;
  const k = seq - box.headSeq;
  if (k >= 0 && k < box.sent) {
    const i = (box.head + k) % box.n;
    if ((flags[i] & ACKED) === 0) box.inFlight--;
    flags[i] = flags[i] | ACKED;
  }
  while (box.count > 0 && (flags[box.head] & ACKED) !== 0) popHead(box);
}

/** The link dropped: everything sent but unacknowledged will be sent again, as historical. */
export function outboxRewind(box: Outbox): void {
  for (let k = 0; k < box.count; k++) {
    const i = (box.head + k) % box.n;
    box.flags[i] = box.flags[i] | HISTORICAL;
  }
  box.sent = 0;
  box.inFlight = 0;
}
