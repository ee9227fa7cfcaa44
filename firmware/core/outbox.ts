/**
 * The device's telemetry outbox: a bounded ring preallocated at start (typed arrays for the
 * numbers, one fixed array for the readings' JSON), so that a board never grows an array while
 * offline (Array.push slows quadratically on Espruino, shared/espruino.md).
 *
 * Every telemetry message goes through it, online or not: it leaves the ring only when the
 * broker acknowledged it (PUBACK). Messages sent but not acknowledged when the link dropped are
 * sent again after reconnect, in order, with the ones produced while offline, flagged
 * historical. When the ring is full the oldest message is dropped and counted.
 */

const ACKED = 1;
const HISTORICAL = 2;

export interface OutboxEntry {
  seq: number;
  ts: number;
  readings: string;
  historical: boolean;
}

export interface Outbox {
  /** Adds a message; drops the oldest when full. `historical` marks one produced offline. */
  push(seq: number, ts: number, readingsJson: string, historical: boolean): void;
  /** The next message not yet sent on this connection, or null. Marks it as sent. */
  takeNext(): OutboxEntry | null;
  /** The broker acknowledged `seq`; acknowledged messages at the head leave the ring. */
  ack(seq: number): void;
  /** The link dropped: everything sent but unacknowledged will be sent again, as historical. */
  rewind(): void;
  /** Messages held (sent or not). */
  size(): number;
  /** Messages sent on this connection and not yet acknowledged. */
  inFlight(): number;
  /** Messages dropped because the ring was full, since boot. */
  dropped(): number;
  capacity(): number;
}

export function createOutbox(capacity: number): Outbox {
  const n = capacity < 1 ? 1 : Math.floor(capacity);
  const seqs = new Float64Array(n);
  const times = new Float64Array(n);
  const flags = new Uint8Array(n);
  const bodies: (string | null)[] = new Array(n);
  for (let i = 0; i < n; i++) bodies[i] = null;
  let head = 0;
  let count = 0;
  /** Entries [head, head + sent) have been handed out on this connection. */
  let sent = 0;
  let dropCount = 0;

  function slot(offset: number): number {
    return (head + offset) % n;
  }

  function popHead(): void {
    bodies[head] = null;
    flags[head] = 0;
    head = (head + 1) % n;
    count--;
    if (sent > 0) sent--;
  }

  function popAcked(): void {
    while (count > 0 && (flags[head] & ACKED) !== 0) popHead();
  }

  return {
    push(seq, ts, readingsJson, historical) {
      if (count === n) {
        popHead();
        dropCount++;
      }
      const i = slot(count);
      seqs[i] = seq;
      times[i] = ts;
      bodies[i] = readingsJson;
      flags[i] = historical ? HISTORICAL : 0;
      count++;
    },
    takeNext() {
      while (sent < count) {
        const i = slot(sent);
        sent++;
        if ((flags[i] & ACKED) === 0) {
          return {
            seq: seqs[i] as number,
            ts: times[i] as number,
            readings: bodies[i] as string,
            historical: (flags[i] & HISTORICAL) !== 0,
          };
        }
      }
      return null;
    },
    ack(seq) {
      for (let k = 0; k < sent; k++) {
        const i = slot(k);
        if (seqs[i] === seq) {
          flags[i] = flags[i] | ACKED;
          break;
        }
      }
      popAcked();
    },
    rewind() {
      for (let k = 0; k < count; k++) {
        const i = slot(k);
        flags[i] = flags[i] | HISTORICAL;
      }
      sent = 0;
    },
    size() {
      return count;
    },
    inFlight() {
      let pending = 0;
      for (let k = 0; k < sent; k++) if ((flags[slot(k)] & ACKED) === 0) pending++;
      return pending;
    },
    dropped() {
      return dropCount;
    },
    capacity() {
      return n;
    },
  };
}
