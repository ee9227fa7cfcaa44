/**
 * The device's telemetry outbox: a bounded FIFO ring preallocated at start in typed arrays
 * (time, and one 32-bit float per reading channel, NaN for "not in this message"), so a board
 * never allocates while offline: Array.push slows quadratically on Espruino and every string
 * costs variables (shared/espruino.md). Seqs are consecutive, so the ring stores only the seq of
 * its head, and a message is named by its seq. Floats keep 7 significant digits: the runtime
 * rounds each reading to its channel's decimals when it formats the message.
 *
 * Every telemetry message goes through it, online or not: it leaves the ring only when the
 * broker acknowledged it (PUBACK). Messages sent but not acknowledged when the link dropped are
 * sent again after reconnect, in order, with the ones produced while offline. When the ring is
 * full the oldest message is dropped and counted.
 *
 * A PUBACK acknowledges its message and every one before it: a broker sends PUBACKs in the
 * order the PUBLISH packets arrived (MQTT 3.1.1, 4.6 "Message ordering"), and those arrive in
 * the order sent (one TCP connection). So the ring keeps no per-message flags: what is in
 * flight is the `sent` messages from the head. Which messages are historical the runtime knows
 * by seq: every message older than its connection's first live one.
 *
 * The counts are plain fields rather than methods: on Espruino a number costs nothing where a
 * function costs several variables.
 */

/**
 * The ring: a record, and the functions below that work on it (rather than an object of
 * closures: on a board a closure two functions deep costs more variables than a function at
 * the top of the bundle, and the minifier inlines those used once).
 */
export interface Outbox {
  /** Messages held (sent or not). */
  count: number;
  /** Messages from the head sent on this connection, none acknowledged yet (in flight). */
  sent: number;
  /** Messages dropped because the ring was full, since boot. */
  dropped: number;
  /** The ring's own: capacity, channels per message, the arrays, the head's index and seq. */
  n: number;
  w: number;
  times: Float64Array;
  values: Float32Array;
  head: number;
  headSeq: number;
}

/** A ring of `capacity` messages (a whole number, at least 1: the plan's bufferSize, plan.ts)
 *  of `width` channels each (none is an empty array of values, never indexed). */
export function createOutbox(capacity: number, width: number): Outbox {
  const n = capacity;
  const w = width;
  return {
    count: 0,
    sent: 0,
    dropped: 0,
    n,
    w,
    times: new Float64Array(n),
    values: new Float32Array(n * w),
    head: 0,
    headSeq: 0,
  };
}

function popHead(box: Outbox): void {
  box.headSeq++;
  box.head = (box.head + 1) % box.n;
  box.count--;
  // Counts are never negative: nonzero is positive.
  if (box.sent) box.sent--;
}

/** The slot of message `seq` (held in the ring): channel c of it is at `values[slot * w + c]`. */
export function outboxSlot(box: Outbox, seq: number): number {
  return (box.head + seq - box.headSeq) % box.n;
}

/** Adds message `seq` (one more than the last) sent at `ts`; drops the oldest when full.
 *  Returns its slot, whose values the caller writes: one value per channel, NaN where the
 *  message has no reading, booleans as 0 and 1. A slot is written in place rather than copied
 *  from a row, which would be one more array per message. */
export function outboxPush(box: Outbox, seq: number, ts: number): number {
  if (box.count === box.n) {
    popHead(box);
    box.dropped++;
  }
  // Seqs are consecutive: a push names the head's seq when the ring is empty.
  if (!box.count++) box.headSeq = seq;
  const slot = outboxSlot(box, seq);
  box.times[slot] = ts;
  return slot;
}

/** The seq of the next message not yet sent on this connection, marked as sent; 0 when there
 *  is none (seqs start at 1). */
export function outboxTakeNext(box: Outbox): number {
  return box.sent < box.count ? box.headSeq + box.sent++ : 0;
}

/** The broker acknowledged `seq`, and so every message before it: they leave the ring. A late
 *  PUBACK of a message already dropped changes nothing. */
export function outboxAck(box: Outbox, seq: number): void {
  while (box.count && box.headSeq <= seq) popHead(box);
}

/** The link dropped: everything sent but unacknowledged will be sent again. */
export function outboxRewind(box: Outbox): void {
  box.sent = 0;
}
