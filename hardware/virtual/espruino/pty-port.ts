/**
 * A virtual Espruino behind a real pseudo-terminal: the flasher, or any serial program, opens
 * `path` with the real serialport binding, exactly as it would /dev/ttyACM0 (../device-pty.ts).
 */
import { type DevicePty, openDevicePty } from '../device-pty.js';
import type { OpenPtyOptions } from '../pty.js';
import type { VirtualEspruino } from './board.js';

export type EspruinoPty = DevicePty;

export function openEspruinoPty(
  board: VirtualEspruino,
  options: OpenPtyOptions = {},
): Promise<EspruinoPty> {
  return openDevicePty(board, options);
}
