/**
 * The firmware side of OTA on a Node device (a Pi), for the device runtime to plug in: the
 * `ota-*` command handlers writing to the host's slot directory, and the two messages to the
 * host (node-host.ts): birth acknowledged, restart please.
 */
import { createHash } from 'node:crypto';
import { FileSlotStore } from './file-slots.js';
import type { HostMessage } from './node-host.js';
import { createOtaCommands, type OtaHandler } from './receiver.js';

/** Default time a new firmware has to send its birth before it is rolled back. */
export const DEFAULT_TRIAL_MS = 30_000;

function tellHost(message: HostMessage): boolean {
  if (!process.send) return false;
  process.send(message);
  return true;
}

/** Call when the birth was acknowledged by the broker: confirms a trial boot. */
export function reportBirthToHost(): void {
  tellHost({ type: 'birth' });
}

/**
 * The OTA command table, or an empty one when this firmware does not run under a host (no
 * FULLSTACK_OTA_DIR): then the device answers `ota-*` as unknown commands.
 */
export function nodeOtaCommands(
  options: { dir?: string; trialMs?: number; now?: () => number } = {},
): Record<string, OtaHandler> {
  const dir = options.dir ?? process.env.FULLSTACK_OTA_DIR;
  if (!dir) return {};
  return createOtaCommands<Buffer>({
    store: new FileSlotStore(dir),
    decodeBase64: (text) => Buffer.from(text, 'base64'),
    sha256Hex: (bytes) => createHash('sha256').update(bytes).digest('hex'),
    byteLength: (bytes) => bytes.length,
    now: options.now ?? Date.now,
    trialMs: options.trialMs ?? DEFAULT_TRIAL_MS,
    restart: () => {
      if (!tellHost({ type: 'restart' })) process.exit(0);
    },
  });
}
