/**
 * A virtual Espruino behind a real pseudo-terminal (../pty.ts): the flasher, or any serial
 * program, opens `path` with the real serialport binding, exactly as it would /dev/ttyACM0.
 */
import { type OpenPtyOptions, openPty } from '../pty.js';
import type { VirtualEspruino } from './board.js';

export interface EspruinoPty {
  /** The slave device path, e.g. /dev/pts/7. */
  path: string;
  /** Detaches the board and closes the pty (a program using it sees an unplug). */
  close(): Promise<void>;
}

export async function openEspruinoPty(
  board: VirtualEspruino,
  options: OpenPtyOptions = {},
): Promise<EspruinoPty> {
  const pty = await openPty(options);
  const onData = (data: Buffer) => board.receive(data);
  pty.stream.on('data', onData);
  const unsubscribe = board.onOutput((data) => {
    pty.stream.write(data);
  });
  const onOpen = () => board.portOpened();
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
