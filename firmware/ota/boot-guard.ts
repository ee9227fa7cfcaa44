/**
 * Boots the firmware the record names and guards a trial boot: a firmware fresh from an OTA
 * update has `trialMs` to send its birth (the runtime calls `confirm()` when the birth was
 * acknowledged); if it does not, or it crashes first, the record goes back to the previous
 * slot and the platform restarts into it. The record is rewritten before every restart, so a
 * power cut at any point boots either the new firmware on trial or the old one.
 *
 * Espruino-safe subset, like receiver.ts: the same guard can run in an Espruino loader.
 */
import type { OtaBootRecord, SlotStore } from './slots.js';

export interface GuardClock {
  now(): number;
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(id: unknown): void;
}

export interface BootGuardContext<Bytes> {
  store: SlotStore<Bytes>;
  clock: GuardClock;
  /** Starts the firmware; may throw (a bundle that fails at once). */
  start(record: OtaBootRecord, code: Bytes): void;
  /** Stops what runs and boots again from the record. */
  restart(): void;
  log(message: string): void;
}

/** Closed set: running proven firmware, running on trial, or handing back to the previous one. */
export type GuardState = 'confirmed' | 'trial' | 'rolling-back';

export interface BootGuard {
  readonly record: OtaBootRecord;
  state(): GuardState;
  /** The firmware's birth was acknowledged: a trial becomes permanent. */
  confirm(): void;
  /** The firmware died; during a trial this rolls back. */
  failed(reason: string): void;
  /** Stops the trial timer (shutdown). */
  stop(): void;
}

export function bootFromRecord<Bytes>(ctx: BootGuardContext<Bytes>): BootGuard {
  const record = ctx.store.readRecord();
  if (record === null) throw new Error('no firmware installed: the boot record is missing');
  let state: GuardState = record.trial ? 'trial' : 'confirmed';
  let timer: unknown = null;

  function rollback(reason: string): void {
    if (state !== 'trial') return;
    state = 'rolling-back';
    if (timer !== null) ctx.clock.clearTimeout(timer);
    timer = null;
    if (record === null || record.previous === undefined) {
      ctx.log(
        'firmware ' +
          (record ? record.fw : '?') +
          ' failed its trial (' +
          reason +
          ') and there is no previous slot to go back to',
      );
      return;
    }
    const back: OtaBootRecord = {
      slot: record.previous,
      fw: record.previousFw === undefined ? 'unknown' : record.previousFw,
      size: record.previousSize === undefined ? 0 : record.previousSize,
      previous: record.slot,
      previousFw: record.fw,
      previousSize: record.size,
      rolledBack: { fw: record.fw, reason: reason, at: ctx.clock.now() },
    };
    ctx.store.writeRecord(back);
    ctx.log(`rolled back from ${record.fw} to ${back.fw}: ${reason}`);
    ctx.restart();
  }

  const code = ctx.store.readSlot(record.slot);
  if (record.trial) {
    const trialMs = record.trial.trialMs;
    timer = ctx.clock.setTimeout(() => {
      timer = null;
      rollback(`no birth within ${trialMs} ms`);
    }, trialMs);
  }
  const guard: BootGuard = {
    record: record,
    state: () => state,
    confirm: () => {
      if (state !== 'trial') return;
      if (timer !== null) ctx.clock.clearTimeout(timer);
      timer = null;
      state = 'confirmed';
      const kept: OtaBootRecord = JSON.parse(JSON.stringify(record));
      delete kept.trial;
      ctx.store.writeRecord(kept);
      ctx.log(`firmware ${record.fw} confirmed by its birth`);
    },
    failed: (reason: string) => {
      rollback(reason);
    },
    stop: () => {
      if (timer !== null) ctx.clock.clearTimeout(timer);
      timer = null;
    },
  };
  if (code === null) {
    guard.failed(`slot ${record.slot} is empty`);
    return guard;
  }
  try {
    ctx.start(record, code);
  } catch (error) {
    guard.failed(`it threw at start: ${String(error)}`);
  }
  return guard;
}
