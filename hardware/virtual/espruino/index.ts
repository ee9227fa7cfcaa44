/** A virtual Espruino board behind a serial port: see docs/flashing.md, "The virtual Espruino board". */
export {
  BOOT_CODE_FILE,
  type BoardState,
  SAVED_STATE_FILE,
  VirtualEspruino,
  type VirtualEspruinoOptions,
} from './board.js';
export {
  ESPRUINO_USB,
  type MockPortInfo,
  type SerialDevice,
  VirtualEspruinoPorts,
} from './mock-port.js';
export { type EspruinoPty, openEspruinoPty } from './pty-port.js';
export { VirtualStorage } from './storage.js';
