/** What every wiring check reads and where it records problems. */
import type { PinClaims } from './pin-claims.js';
import type { Problem } from './problems.js';
import type { BoardProfile, DeviceConfig } from './types.js';

export interface CheckContext {
  config: DeviceConfig;
  board: BoardProfile | undefined;
  problems: Problem[];
  claims: PinClaims;
  /** `I2C bus 1@118` → the part at that address. */
  i2cAddresses: Map<string, string>;
}

export const hex = (n: number): string => `0x${n.toString(16).padStart(2, '0')}`;
