/**
 * Over-the-air update protocol: four device commands carried by the gateway's command router
 * on `fs/v1/<id>/cmd` (names follow the contract's `^[a-z][a-z0-9-]{0,31}$`), each answered by
 * the device's ack, and the progress events the sender publishes upstream for the dashboard.
 *
 *   ota-begin  {fw, size, sha256, chunks, chunkBytes}  the device prepares its inactive slot
 *   ota-chunk  {index, offset, data, sha256}            base64 bytes; refused when the hash differs
 *   ota-commit {sha256}                                 whole-image check, switch, trial boot
 *   ota-abort  {}                                       forget a partial transfer
 *   ota-status {}                                       what boots now (slot, fw, sha256, trial)
 *
 * After a commit the device restarts into the new slot on trial: the new firmware must send a
 * birth within the trial time, or the device goes back to the previous slot (A/B).
 */
import type { CommandArgs } from '../../contract/payloads.js';

export const OTA_COMMANDS = {
  begin: 'ota-begin',
  chunk: 'ota-chunk',
  commit: 'ota-commit',
  abort: 'ota-abort',
  status: 'ota-status',
} as const;

/** The answer to ota-status. */
export interface OtaStatus {
  slot: string;
  fw: string;
  sha256: string | null;
  /** The running firmware has not confirmed itself with a birth yet. */
  trial: boolean;
  rolledBack: { fw: string; reason: string; at: number } | null;
}

/** The arguments, as the contract declares them (contract/payloads.ts, CommandArgs). */
export type OtaBeginArgs = CommandArgs['ota-begin'];
export type OtaChunkArgs = CommandArgs['ota-chunk'];
export type OtaCommitArgs = CommandArgs['ota-commit'];

/** Upper bound so that one chunk command stays well under the contract's 16 KB payload limit. */
export const MAX_CHUNK_BYTES = 8 * 1024;
export const DEFAULT_CHUNK_BYTES = 4 * 1024;

/** Closed set of phases an update goes through, as shown in the CLI and on the dashboard. */
export type OtaPhase =
  | 'starting'
  | 'sending'
  | 'switching'
  | 'waiting-birth'
  | 'done'
  | 'rolled-back'
  | 'failed';

/** Published on `fs/gw/v1/<gateway>/events` for the dashboard. */
export interface OtaEvent {
  type: 'ota';
  device: string;
  phase: OtaPhase;
  fw: string;
  /** Bytes acknowledged by the device so far. */
  sent: number;
  total: number;
  ts: number;
  detail?: string;
}
