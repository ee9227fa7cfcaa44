/**
 * A virtual STK500v2 bootloader behind a real pseudo-terminal (../pty.ts): `fullstack flash
 * --board mega --port <path>` opens it with the real serialport binding, as it would
 * /dev/ttyACM0. A program opening the slave resets the board, as DTR does on a real Mega.
 */
import { type OpenPtyOptions, openPty } from '../pty.js';
import type { VirtualStk500v2Bootloader } from './bootloader.js';

export interface BootloaderPty {
  /** The slave device path, e.g. /dev/pts/7. */
  path: string;
  /** Detaches the bootloader and closes the pty (a program using it sees an unplug). */
  close(): Promise<void>;
}

export async function openBootloaderPty(
  bootloader: VirtualStk500v2Bootloader,
  options: OpenPtyOptions = {},
): Promise<BootloaderPty> {
  const pty = await openPty(options);
  const onData = (data: Buffer) => bootloader.receive(data);
  pty.stream.on('data', onData);
  const unsubscribe = bootloader.onOutput((data) => {
    pty.stream.write(data);
  });
  const onOpen = () => bootloader.portOpened();
  pty.events.on('open', onOpen);
  return {
    path: pty.path,
    close: async () => {
      unsubscribe();
      pty.stream.off('data', onData);
      pty.events.off('open', onOpen);
      await pty.close();
    },
  };
}
