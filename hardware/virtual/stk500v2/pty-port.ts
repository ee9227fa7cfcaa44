/**
 * A virtual STK500v2 bootloader behind a real pseudo-terminal (../device-pty.ts): `fullstack
 * flash --board mega --port <path>` opens it with the real serialport binding, as it would
 * /dev/ttyACM0. A program opening the slave resets the board, as DTR does on a real Mega.
 */
import { type DevicePty, openDevicePty } from '../device-pty.js';
import type { OpenPtyOptions } from '../pty.js';
import type { VirtualStk500v2Bootloader } from './bootloader.js';

export type BootloaderPty = DevicePty;

export function openBootloaderPty(
  bootloader: VirtualStk500v2Bootloader,
  options: OpenPtyOptions = {},
): Promise<BootloaderPty> {
  return openDevicePty(bootloader, options);
}
