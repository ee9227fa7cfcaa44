/**
 * The firmware side of OTA on an Espruino, for the Espruino runtime to plug into its command
 * table: the `ota-*` handlers writing to Storage slots, SHA-256 from `require("crypto")`,
 * base64 from `atob`, and `load()` to restart into the loader, which then runs the new slot
 * on trial. After its birth is acknowledged the runtime calls the loader's `fsConfirmBoot()`.
 * The board's globals are passed in (as firmware/espruino/main.ts does), so esbuild sees no
 * `require` to resolve. Espruino-safe subset.
 */
import { type EspruinoStorage, storageSlotStore } from './espruino-slots.js';
import { createOtaCommands, type OtaHandler } from './receiver.js';

/** The Espruino globals OTA needs. */
export interface EspruinoOtaGlobals {
  require(name: string): unknown;
  atob(data: string): string;
  load(): void;
}

interface EspruinoCrypto {
  SHA256(data: string): ArrayBuffer;
}

function hex(buffer: ArrayBuffer): string {
  const bytes = new Uint8Array(buffer);
  let out = '';
  for (let i = 0; i < bytes.length; i++) {
    const byte = bytes[i] as number;
    out += (byte < 16 ? '0' : '') + byte.toString(16);
  }
  return out;
}

export function espruinoOtaCommands(
  g: EspruinoOtaGlobals,
  trialMs: number,
): Record<string, OtaHandler> {
  const crypto = g.require('crypto') as EspruinoCrypto;
  return createOtaCommands<string>({
    store: storageSlotStore(g.require('Storage') as EspruinoStorage),
    decodeBase64: (text) => g.atob(text),
    sha256Hex: (bytes) => hex(crypto.SHA256(bytes)),
    byteLength: (bytes) => bytes.length,
    now: () => Date.now(),
    trialMs: trialMs,
    restart: () => g.load(),
  });
}
