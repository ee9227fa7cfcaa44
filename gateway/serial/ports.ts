/**
 * Serial port access, injected: the real binding on a Pi, serialport's mock binding in tests.
 * Boards are matched by the path a user configured, which may be the stable
 * /dev/serial/by-id name (it survives replugging into another USB socket) or /dev/ttyACM0.
 */
import { SerialPort } from 'serialport';
import { listSerialPorts } from '../../firmware/flash/port-list.js';
import type { SerialBinding } from '../../firmware/flash/uploader.js';
import { FIRMATA_BAUD } from '../../firmware/node/firmata-device.js';
import type { SerialLike } from '../../firmware/node/firmata-io.js';

export interface PresentPort {
  path: string;
  byId?: string;
}

export interface SerialPortAccess {
  list(): Promise<PresentPort[]>;
  open(path: string): SerialLike;
}

export function serialPortAccess(
  binding: SerialBinding,
  open: (path: string) => SerialLike,
  byIdDir?: string,
): SerialPortAccess {
  return {
    list: async () =>
      (await listSerialPorts({ binding, byIdDir })).map((p) => ({ path: p.path, byId: p.byId })),
    open,
  };
}

/** The machine's own serial ports. */
export function systemSerialPorts(): SerialPortAccess {
  return serialPortAccess(
    SerialPort.binding as unknown as SerialBinding,
    (path) => new SerialPort({ path, baudRate: FIRMATA_BAUD }) as unknown as SerialLike,
  );
}

/** The present port a configured path names: itself, or the device its by-id link points to. */
export function findPort(ports: PresentPort[], configured: string): PresentPort | undefined {
  return ports.find((p) => p.path === configured || p.byId === configured);
}
