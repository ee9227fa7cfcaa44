/**
 * The sending side of an OTA update (the CLI): announce the image, send it in hashed chunks
 * (each acknowledged by the device before the next goes), commit, then wait for the device's
 * next birth to learn which firmware it runs: the new one (updated) or the previous one (it
 * rolled back). Every step is reported as an OtaEvent.
 */
import { createHash } from 'node:crypto';
import type { Ack, Birth } from '../../contract/payloads.js';
import {
  DEFAULT_CHUNK_BYTES,
  MAX_CHUNK_BYTES,
  OTA_COMMANDS,
  type OtaChunkArgs,
  type OtaEvent,
  type OtaPhase,
  type OtaStatus,
} from './protocol.js';

/** Births of one device, buffered from the moment the watch began. */
export interface BirthWatch {
  /** The next birth not yet returned, or null after `timeoutMs`. */
  next(timeoutMs: number): Promise<Birth | null>;
  stop(): void;
}

/** How the sender reaches the device: through the gateway (upstream-link.ts). */
export interface OtaLink {
  /** Sends one command; resolves with the device's ack (or the gateway's failure ack). */
  command(
    device: string,
    name: string,
    args: Record<string, unknown>,
    timeoutMs: number,
  ): Promise<Ack>;
  /** The birth the device runs on now, as the gateway last saw it, or null. */
  currentBirth(device: string): Promise<Birth | null>;
  watchBirths(device: string): BirthWatch;
  publishEvent(event: OtaEvent): void;
}

export interface OtaSendOptions {
  device: string;
  bundle: Buffer;
  fw: string;
  chunkBytes?: number;
  /** Per command. Default 10 s. */
  ackTimeoutMs?: number;
  /** How long the device's trial lasts (it decides; this bounds the wait). Default 30 s. */
  trialMs?: number;
  /** Resends of a chunk the device refused. Default 2. */
  chunkRetries?: number;
  now(): number;
  onEvent?(event: OtaEvent): void;
}

export type OtaOutcome = 'updated' | 'rolled-back';

export interface OtaResult {
  outcome: OtaOutcome;
  /** What the device runs now, from its birth. */
  runningFw: string;
  bytes: number;
  chunks: number;
}

export class OtaError extends Error {
  override readonly name = 'OtaError';
  constructor(
    message: string,
    readonly hint: string,
  ) {
    super(message);
  }
}

export function sha256Hex(bytes: Buffer): string {
  return createHash('sha256').update(bytes).digest('hex');
}

export function planChunks(bundle: Buffer, chunkBytes: number): OtaChunkArgs[] {
  const chunks: OtaChunkArgs[] = [];
  for (let offset = 0, index = 0; offset < bundle.length; offset += chunkBytes, index++) {
    const bytes = bundle.subarray(offset, offset + chunkBytes);
    chunks.push({ index, offset, data: bytes.toString('base64'), sha256: sha256Hex(bytes) });
  }
  return chunks;
}

export async function sendOta(link: OtaLink, options: OtaSendOptions): Promise<OtaResult> {
  const chunkBytes = options.chunkBytes ?? DEFAULT_CHUNK_BYTES;
  if (chunkBytes < 64 || chunkBytes > MAX_CHUNK_BYTES) {
    throw new OtaError(
      `chunk size ${chunkBytes} is out of range`,
      `Allowed: 64 to ${MAX_CHUNK_BYTES} bytes.`,
    );
  }
  const timeout = options.ackTimeoutMs ?? 10_000;
  const total = options.bundle.length;
  const sha256 = sha256Hex(options.bundle);
  const chunks = planChunks(options.bundle, chunkBytes);
  let sent = 0;
  const report = (phase: OtaPhase, detail?: string) => {
    const event: OtaEvent = {
      type: 'ota',
      device: options.device,
      phase,
      fw: options.fw,
      sent,
      total,
      ts: options.now(),
    };
    if (detail !== undefined) event.detail = detail;
    link.publishEvent(event);
    options.onEvent?.(event);
  };
  const send = async (name: string, args: Record<string, unknown>): Promise<Ack> => {
    const ack = await link.command(options.device, name, args, timeout);
    return ack;
  };
  const failWith = async (message: string, hint: string): Promise<never> => {
    report('failed', message);
    // Best effort: the device forgets the partial image; its firmware was never touched.
    await link.command(options.device, OTA_COMMANDS.abort, {}, timeout).catch(() => undefined);
    throw new OtaError(message, hint);
  };

  const before = await link.currentBirth(options.device);
  report('starting', `${total} bytes in ${chunks.length} chunks, sha256 ${sha256.slice(0, 12)}…`);
  const begin = await send(OTA_COMMANDS.begin, {
    fw: options.fw,
    size: total,
    sha256,
    chunks: chunks.length,
    chunkBytes,
  });
  if (!begin.ok) {
    return failWith(
      `${options.device} refused the update: ${begin.error}`,
      begin.error === 'offline' || begin.error === 'timeout'
        ? 'Check that the device is online (`fullstack devices`) and runs a firmware with OTA support.'
        : 'A device that answers "unknown command" runs a firmware without OTA: flash it over USB once.',
    );
  }
  for (const chunk of chunks) {
    let ack: Ack | undefined;
    for (let attempt = 0; attempt <= (options.chunkRetries ?? 2); attempt++) {
      ack = await send(OTA_COMMANDS.chunk, { ...chunk });
      if (ack.ok) break;
      report('sending', `chunk ${chunk.index} refused (${ack.error}); resending`);
    }
    if (!ack?.ok) {
      return failWith(
        `chunk ${chunk.index} of ${chunks.length} was refused by ${options.device}: ${ack?.ok === false ? ack.error : 'no answer'}. The device keeps running its current firmware.`,
        'The link corrupts data: check the device’s network, then run the update again.',
      );
    }
    sent = Math.min(total, chunk.offset + chunkBytes);
    report('sending');
  }
  report('switching', 'all chunks verified by the device; committing');
  // Watch before committing: the new birth may arrive before the commit's ack does.
  const births = link.watchBirths(options.device);
  try {
    const commit = await send(OTA_COMMANDS.commit, { sha256 });
    if (!commit.ok) {
      return await failWith(
        `${options.device} refused to switch: ${commit.error}`,
        'Run the update again; the device keeps its current firmware.',
      );
    }
    report('waiting-birth', `waiting for the birth of ${options.fw}`);
    return await awaitOutcome({
      link,
      births,
      before,
      sha256,
      options,
      timeout,
      report,
      size: { bytes: total, chunks: chunks.length },
    });
  } finally {
    births.stop();
  }
}

/** A presence entry may repeat the last birth on a reconnect: only a new boot counts. */
function sameBirth(a: Birth | null, b: Birth): boolean {
  return a !== null && a.boot === b.boot && a.ts === b.ts && a.fw === b.fw;
}

interface OutcomeContext {
  link: OtaLink;
  births: BirthWatch;
  before: Birth | null;
  sha256: string;
  options: OtaSendOptions;
  timeout: number;
  report: (phase: OtaPhase, detail?: string) => void;
  size: { bytes: number; chunks: number };
}

/** ota-status, asked again while a trial is still being confirmed; null if unsupported. */
async function settledStatus(c: OutcomeContext, trialMs: number): Promise<OtaStatus | null> {
  const until = c.options.now() + trialMs;
  for (;;) {
    const ack = await c.link.command(c.options.device, OTA_COMMANDS.status, {}, c.timeout);
    if (!ack.ok) {
      // A firmware without OTA says so; anything else (offline, timeout) is a device that is
      // restarting: ask again.
      if (/unknown command/i.test(ack.error) || c.options.now() >= until) return null;
      await new Promise((resolve) => setTimeout(resolve, 250));
      continue;
    }
    const status = ack.result as OtaStatus;
    if (!status.trial || c.options.now() >= until) return status;
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

async function awaitOutcome(c: OutcomeContext): Promise<OtaResult> {
  const { options, timeout, report, size } = c;
  const trialMs = options.trialMs ?? 30_000;
  // Up to two boots: the new firmware, then (after a rollback) the previous one.
  const deadline = options.now() + 2 * trialMs + timeout;
  for (;;) {
    const left = deadline - options.now();
    const birth = left > 0 ? await c.births.next(left) : null;
    if (birth === null) {
      report('failed', 'no birth after the switch');
      throw new OtaError(
        `${options.device} did not come back after switching to ${options.fw} (no birth within ${Math.round((2 * trialMs + timeout) / 1000)} s).`,
        'Check its power and network; when it restarts, its boot guard runs the previous firmware unless the new one sends a birth.',
      );
    }
    if (sameBirth(c.before, birth)) continue;
    // The hash of what boots tells the new image from a rollback even when both report the
    // same fw; a firmware without ota-status is judged by its birth's fw.
    const status = await settledStatus(c, trialMs);
    if (status?.trial) continue;
    const updated = status ? status.sha256 === c.sha256 : birth.fw === options.fw;
    // A presence join may repeat an older birth; the boot record says what runs.
    const running = status ? status.fw : birth.fw;
    if (updated) {
      report('done', `${options.device} runs ${running}`);
      return { outcome: 'updated', runningFw: running, ...size };
    }
    const reason = status?.rolledBack?.reason ?? 'it sent no birth in time';
    report(
      'rolled-back',
      `${options.fw} was rolled back (${reason}); ${options.device} went back to ${running}`,
    );
    return { outcome: 'rolled-back', runningFw: running, ...size };
  }
}
