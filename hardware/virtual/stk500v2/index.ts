/** A virtual Arduino Mega 2560 bootloader (STK500v2): see docs/flashing.md, "The virtual STK500v2 bootloader". */
export {
  type BootloaderState,
  VirtualStk500v2Bootloader,
  type VirtualStk500v2Options,
} from './bootloader.js';
export { type BootloaderPty, openBootloaderPty } from './pty-port.js';
