/**
 * A virtual serial device (a board's REPL, a bootloader) behind a real pseudo-terminal
 * (./pty.ts): a program opens `path` with the real serialport binding, exactly as it would
 * /dev/ttyACM0. A program opening the slave calls the device's portOpened(), which is where a
 * board that resets on DTR (Arduino's auto-reset) resets.
 */
import type { SerialDevice } from './espruino/mock-port.js';
import { type OpenPtyOptions, openPty } from './pty.js';

export interface DevicePty {
  /** The slave device path, e.g. /dev/pts/7. */
  path: string;
  /** Detaches the device and closes the pty (a program using it sees an unplug). */
  close(): Promise<void>;
}

export async function openDevicePty(
  device: SerialDevice,
  options: OpenPtyOptions = {},
): Promise<DevicePty> {
  const pty = await openPty(options);
  const onData = (data: Buffer) => device.receive(data);
  pty.stream.on('data', onData);
  const unsubscribe = device.onOutput((data) => {
    pty.stream.write(data);
  });
  const onOpen = () => device.portOpened();
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
