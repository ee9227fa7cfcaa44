/**
 * The device side of an OTA update: the `ota-*` command handlers a runtime plugs into its
 * command table. Chunks go into the slot that is not booting, each checked against its hash
 * before it is written; the commit checks the whole image, records the switch as a trial (the
 * previous slot kept for rollback) and asks the platform to restart into it.
 *
 * Written in the subset the Espruino interpreter runs (callbacks, no destructuring, spread,
 * Map/Set or optional chaining), like firmware/core, so it can go into an Espruino bundle;
 * hashing and base64 are injected (Node's crypto; `require("crypto")` and `atob` on a board).
 */
import type { Ack } from '../../contract/payloads.js';
import { otherSlot, type Slot } from '../flash/layout.js';
import { OTA_COMMANDS } from './protocol.js';
import type { OtaBootRecord, SlotStore } from './slots.js';

export interface OtaReceiverContext<Bytes> {
  store: SlotStore<Bytes>;
  decodeBase64(text: string): Bytes;
  sha256Hex(bytes: Bytes): string;
  byteLength(bytes: Bytes): number;
  now(): number;
  /** Restart into the boot record's slot (called once the commit ack is on its way). */
  restart(): void;
  /** How long a new firmware has to send its birth, ms (recorded for the boot guard). */
  trialMs: number;
}

/** What a handler returns: the ack, and what to do after it was sent (as firmware/core does). */
export interface OtaOutcome {
  ack: Ack;
  after: (() => void) | null;
}

export type OtaHandler = (id: string, args: Record<string, unknown>) => OtaOutcome;

/** Closed set of receiver states. */
type ReceiverState = 'idle' | 'receiving' | 'switching';

interface Transfer {
  slot: Slot;
  fw: string;
  size: number;
  sha256: string;
  chunks: number;
  next: number;
  received: number;
}

function fail(id: string, error: string): OtaOutcome {
  return { ack: { id: id, ok: false, error: error }, after: null };
}

function ok(id: string, result: unknown): OtaOutcome {
  return { ack: { id: id, ok: true, result: result }, after: null };
}

function isCount(value: unknown, min: number): boolean {
  return typeof value === 'number' && Math.floor(value) === value && value >= min;
}

function isHash(value: unknown): boolean {
  return typeof value === 'string' && /^[0-9a-f]{64}$/.test(value);
}

export function createOtaCommands<Bytes>(
  ctx: OtaReceiverContext<Bytes>,
): Record<string, OtaHandler> {
  let state: ReceiverState = 'idle';
  let transfer: Transfer | null = null;

  function begin(id: string, args: Record<string, unknown>): OtaOutcome {
    if (state === 'switching') return fail(id, 'ota-begin refused: a switch is already under way');
    if (typeof args.fw !== 'string' || args.fw.length === 0 || args.fw.length > 64) {
      return fail(
        id,
        `bad value for args.fw: ${JSON.stringify(args.fw)} (allowed: 1 to 64 characters)`,
      );
    }
    if (!isCount(args.size, 1))
      return fail(
        id,
        `bad value for args.size: ${JSON.stringify(args.size)} (allowed: a positive integer)`,
      );
    if (!isCount(args.chunks, 1))
      return fail(
        id,
        'bad value for args.chunks: ' +
          JSON.stringify(args.chunks) +
          ' (allowed: a positive integer)',
      );
    if (!isHash(args.sha256))
      return fail(id, 'bad value for args.sha256 (allowed: 64 lower-case hex digits)');
    const record = ctx.store.readRecord();
    const slot = otherSlot(record === null ? undefined : record.slot);
    ctx.store.beginSlot(slot, args.size as number);
    transfer = {
      slot: slot,
      fw: args.fw,
      size: args.size as number,
      sha256: args.sha256 as string,
      chunks: args.chunks as number,
      next: 0,
      received: 0,
    };
    state = 'receiving';
    return ok(id, { slot: slot });
  }

  function chunk(id: string, args: Record<string, unknown>): OtaOutcome {
    const t = transfer;
    if (state !== 'receiving' || t === null)
      return fail(id, 'ota-chunk refused: no transfer in progress (send ota-begin first)');
    if (
      !isCount(args.index, 0) ||
      !isCount(args.offset, 0) ||
      typeof args.data !== 'string' ||
      !isHash(args.sha256)
    ) {
      return fail(
        id,
        'bad ota-chunk args: needs index, offset (integers), data (base64) and sha256 (hex)',
      );
    }
    const index = args.index as number;
    // A resend of the chunk just written (its ack was lost): already there.
    if (index === t.next - 1) return ok(id, { index: index, received: t.received });
    if (index !== t.next)
      return fail(id, `ota-chunk ${index} out of order: expected chunk ${t.next}`);
    const bytes = ctx.decodeBase64(args.data);
    const hash = ctx.sha256Hex(bytes);
    if (hash !== args.sha256) {
      return fail(
        id,
        'ota-chunk ' +
          index +
          ' refused: sha256 mismatch (received ' +
          hash.slice(0, 12) +
          '…, expected ' +
          (args.sha256 as string).slice(0, 12) +
          '…); nothing written, resend it',
      );
    }
    const length = ctx.byteLength(bytes);
    if (args.offset !== t.received || t.received + length > t.size) {
      return fail(
        id,
        'ota-chunk ' +
          index +
          ' refused: offset ' +
          args.offset +
          ' and length ' +
          length +
          ' do not continue ' +
          t.received +
          ' of ' +
          t.size +
          ' bytes',
      );
    }
    ctx.store.writeSlot(t.slot, t.received, bytes);
    t.received += length;
    t.next++;
    return ok(id, { index: index, received: t.received });
  }

  function commit(id: string, args: Record<string, unknown>): OtaOutcome {
    const t = transfer;
    if (state !== 'receiving' || t === null)
      return fail(id, 'ota-commit refused: no transfer in progress');
    if (t.next !== t.chunks || t.received !== t.size) {
      return fail(
        id,
        'ota-commit refused: received ' +
          t.next +
          ' of ' +
          t.chunks +
          ' chunks (' +
          t.received +
          ' of ' +
          t.size +
          ' bytes)',
      );
    }
    const image = ctx.store.readSlot(t.slot);
    const hash = image === null ? '' : ctx.sha256Hex(image);
    if (hash !== t.sha256 || args.sha256 !== t.sha256) {
      state = 'idle';
      transfer = null;
      return fail(
        id,
        'ota-commit refused: the stored image hashes to ' +
          hash.slice(0, 12) +
          '…, expected ' +
          t.sha256.slice(0, 12) +
          '…; the current firmware stays',
      );
    }
    const previous = ctx.store.readRecord();
    const record: OtaBootRecord = {
      slot: t.slot,
      fw: t.fw,
      size: t.size,
      sha256: t.sha256,
      trial: { since: ctx.now(), trialMs: ctx.trialMs },
    };
    if (previous !== null) {
      record.previous = previous.slot;
      record.previousFw = previous.fw;
      record.previousSize = previous.size;
    }
    ctx.store.writeRecord(record);
    state = 'switching';
    transfer = null;
    return {
      ack: { id: id, ok: true, result: { slot: t.slot, fw: t.fw, trialMs: ctx.trialMs } },
      after: ctx.restart,
    };
  }

  /** What boots now: lets the sender tell the new image from a rollback by its hash. */
  function status(id: string): OtaOutcome {
    const record = ctx.store.readRecord();
    if (record === null) return fail(id, 'no boot record');
    return ok(id, {
      slot: record.slot,
      fw: record.fw,
      sha256: record.sha256 === undefined ? null : record.sha256,
      trial: record.trial !== undefined,
      rolledBack: record.rolledBack === undefined ? null : record.rolledBack,
    });
  }

  function abort(id: string): OtaOutcome {
    if (state === 'switching') return fail(id, 'ota-abort refused: the switch is under way');
    state = 'idle';
    transfer = null;
    return ok(id, { aborted: true });
  }

  const table: Record<string, OtaHandler> = {};
  table[OTA_COMMANDS.begin] = begin;
  table[OTA_COMMANDS.chunk] = chunk;
  table[OTA_COMMANDS.commit] = commit;
  table[OTA_COMMANDS.abort] = abort;
  table[OTA_COMMANDS.status] = status;
  return table;
}
