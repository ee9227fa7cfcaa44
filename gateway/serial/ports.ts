/**
 * Serial port access, injected: the real binding on a Pi, serialport's mock binding in tests.
 * Boards are matched by the path a user configured, which may be the stable
 * /dev/serial/by-id name (it survives replugging into another USB socket) or /dev/ttyACM0.
 */
import { existsSync } from 'node:fs';
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
  /**
   * Whether a configured path names something present although the list does not show it
   * (a pseudo-terminal, a symlink made by a udev rule). Absent: only the list counts.
   */
  exists?(path: string): boolean;
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

/** The machine's own serial ports, and any configured path that exists (links followed). */
export function systemSerialPorts(): SerialPortAccess {
  return {
    ...serialPortAccess(
      SerialPort.binding as unknown as SerialBinding,
      (path) => new SerialPort({ path, baudRate: FIRMATA_BAUD }) as unknown as SerialLike,
    ),
    exists: (path) => existsSync(path),
  };
}

/** The present port a configured path names: itself, the device its by-id link points to, or the path if it exists. */
export function findPort(
  ports: PresentPort[],
  configured: string,
  exists?: (path: string) => boolean,
): PresentPort | undefined {
  const listed = ports.find((p) => p.path === configured || p.byId === configured);
  if (listed) return listed;
  return exists?.(configured) ? { path: configured } : undefined;
}
