/**
 * Serial ports as a user needs to see them to pick one: path, the stable /dev/serial/by-id
 * name, USB ids, and a guess of what is plugged in from the USB ids.
 */
import { readdir, realpath } from 'node:fs/promises';
import { join } from 'node:path';
import type { SerialBinding } from './uploader.js';

export type BoardFamily = 'espruino' | 'esp-usb-serial' | 'arduino' | 'ftdi' | 'unknown';

export interface UsbGuess {
  family: BoardFamily;
  /** What a person would call it. */
  label: string;
}

/** USB vendor:product ids (lower-case hex, from each maker's published ids). */
const BY_ID: ReadonlyArray<{ vendor: string; product?: string; guess: UsbGuess }> = [
  // STMicroelectronics virtual COM port, used by the Espruino Pico, Original and WiFi.
  { vendor: '0483', product: '5740', guess: { family: 'espruino', label: 'Espruino (STM32 USB)' } },
  // Silicon Labs CP210x: most ESP32 and many ESP8266 dev boards.
  {
    vendor: '10c4',
    product: 'ea60',
    guess: { family: 'esp-usb-serial', label: 'CP210x USB-serial (ESP32/ESP8266 board)' },
  },
  // WCH CH340: NodeMCU clones, Arduino Nano clones.
  {
    vendor: '1a86',
    product: '7523',
    guess: { family: 'esp-usb-serial', label: 'CH340 USB-serial (ESP8266 or Nano clone)' },
  },
  // FTDI FT232R: older Arduinos, FTDI cables.
  {
    vendor: '0403',
    product: '6001',
    guess: { family: 'ftdi', label: 'FTDI FT232R USB-serial (older Arduino or adapter)' },
  },
  // Arduino LLC: every genuine Uno, Mega, Leonardo…
  { vendor: '2341', guess: { family: 'arduino', label: 'Arduino' } },
];

export function guessBoard(vendorId?: string, productId?: string): UsbGuess {
  const vendor = vendorId?.toLowerCase().replace(/^0x/, '');
  const product = productId?.toLowerCase().replace(/^0x/, '');
  const hit = BY_ID.find(
    (row) => row.vendor === vendor && (!row.product || row.product === product),
  );
  return (
    hit?.guess ?? {
      family: 'unknown',
      label: vendor ? 'unknown USB device' : 'not USB (built-in or virtual)',
    }
  );
}

export interface SerialPortEntry {
  path: string;
  byId?: string;
  vendorId?: string;
  productId?: string;
  manufacturer?: string;
  serialNumber?: string;
  guess: UsbGuess;
}

export interface PortListContext {
  binding: SerialBinding;
  /** Default /dev/serial/by-id (udev's stable names). */
  byIdDir?: string;
}

/** Map from a real device path to its by-id link. An absent directory is no USB serial device. */
async function byIdLinks(dir: string): Promise<Map<string, string>> {
  const links = new Map<string, string>();
  let names: string[];
  try {
    names = await readdir(dir);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return links;
    throw error;
  }
  for (const name of names) {
    const link = join(dir, name);
    try {
      links.set(await realpath(link), link);
    } catch (error) {
      // A dangling link (device just unplugged) names nothing present: skip it.
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    }
  }
  return links;
}

/** The binding's list, with a precise error where Linux lacks what it lists ports with. */
async function bindingPorts(binding: SerialBinding) {
  try {
    return await binding.list();
  } catch (error) {
    const message = (error as Error).message;
    if (/udevadm/.test(message) && /ENOENT/.test(message))
      throw new Error(
        `cannot list serial ports: udevadm is not installed (serialport lists ports through udev on Linux; install the udev package, or name the port with --port) [${message}]`,
      );
    throw error;
  }
}

export async function listSerialPorts(ctx: PortListContext): Promise<SerialPortEntry[]> {
  const [ports, links] = await Promise.all([
    bindingPorts(ctx.binding),
    byIdLinks(ctx.byIdDir ?? '/dev/serial/by-id'),
  ]);
  return ports
    .map((p) => ({
      path: p.path,
      byId: links.get(p.path),
      vendorId: p.vendorId,
      productId: p.productId,
      manufacturer: p.manufacturer,
      serialNumber: p.serialNumber,
      guess: guessBoard(p.vendorId, p.productId),
    }))
    .sort((a, b) => a.path.localeCompare(b.path));
}

/** Ports worth flashing an Espruino bundle to: Espruino or ESP USB-serial chips. */
export function espruinoCandidates(ports: readonly SerialPortEntry[]): SerialPortEntry[] {
  return ports.filter((p) => p.guess.family === 'espruino' || p.guess.family === 'esp-usb-serial');
}
