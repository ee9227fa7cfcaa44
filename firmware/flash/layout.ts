/**
 * Where FullStack keeps firmware in an Espruino's Storage: two slots (A/B), a small JSON
 * record saying which slot boots and what it holds, and a one-line `.bootcde` loader that runs
 * the chosen slot at power-up. A new bundle is always written to the slot that is not booting,
 * checked there, and only then made active by rewriting the small record: a board that dies
 * mid-upload still boots its previous code. OTA uses the same layout to roll back.
 */

export type Slot = 'a' | 'b';

export const SLOT_FILES: Readonly<Record<Slot, string>> = { a: '.fsa', b: '.fsb' };
export const BOOT_INFO_FILE = '.fsboot';
/** The file Espruino runs at power-up. */
export const BOOT_CODE_FILE = '.bootcde';

/** The record in BOOT_INFO_FILE. */
export interface BootInfo {
  slot: Slot;
  /** The firmware version the bundle reports (its birth `fw`). */
  fw: string;
  size: number;
  /** CRC-32 (IEEE, as Espruino's E.CRC32) of the slot's bytes. */
  crc: number;
  /** The slot that booted before this one, kept for rollback. */
  previous?: Slot;
}

/**
 * Runs the active slot at power-up, and guards a trial boot after an OTA update
 * (firmware/ota/boot-guard.ts is the same logic for Node): a firmware on trial must call
 * `fsConfirmBoot()` once its birth was acknowledged, within `trial.trialMs`; if it does not,
 * or it throws while loading, the boot record goes back to the previous slot and `load()`
 * restarts into it. Top-level statements and a direct `eval`, so the bundle's declarations are
 * global exactly as if it were `.bootcde` itself. Written in the subset Espruino runs. A bundle
 * must not call `clearTimeout()` without an argument (that clears every timer, this one too).
 */
export const LOADER = [
  'var __fsS=require("Storage"),__fsR=__fsS.readJSON(".fsboot",1)||{slot:"a"};',
  'function __fsBack(why){if(!__fsR.trial||__fsR.previous===undefined)return;',
  '__fsS.writeJSON(".fsboot",{slot:__fsR.previous,fw:__fsR.previousFw||"unknown",size:__fsR.previousSize||0,',
  'previous:__fsR.slot,previousFw:__fsR.fw,previousSize:__fsR.size,rolledBack:{fw:__fsR.fw,reason:why,at:Date.now()}});',
  'load();}',
  'var __fsT=__fsR.trial?setTimeout(function(){__fsBack("no birth within "+__fsR.trial.trialMs+" ms");},__fsR.trial.trialMs):undefined;',
  'function fsConfirmBoot(){if(!__fsR.trial)return;clearTimeout(__fsT);delete __fsR.trial;__fsS.writeJSON(".fsboot",__fsR);}',
  'try{eval(__fsS.read(__fsR.slot=="b"?".fsb":".fsa"));}catch(e){__fsBack("it threw at start: "+e);}',
].join('\n');

export function otherSlot(slot: Slot | undefined): Slot {
  return slot === 'a' ? 'b' : 'a';
}

/** Room needed on the board for a bundle besides what it already has. */
export function bytesNeeded(bundleBytes: number): number {
  return bundleBytes + LOADER.length + 256;
}
