/** `fullstack ports`: the serial ports present, with USB ids and a guess of the board. */
import type { Command } from 'commander';
import { SerialPort } from 'serialport';
import {
  listSerialPorts,
  type PortListContext,
  type SerialPortEntry,
} from '../../firmware/flash/port-list.js';

export function formatPortTable(ports: readonly SerialPortEntry[]): string {
  if (ports.length === 0) {
    return 'No serial ports found. Plug the board in (check the cable carries data), then run `fullstack ports` again.';
  }
  const rows = ports.map((p) => [
    p.path,
    p.vendorId && p.productId ? `${p.vendorId}:${p.productId}` : '-',
    p.guess.label,
    p.byId ?? '-',
  ]);
  const header = ['PATH', 'USB ID', 'GUESS', 'BY-ID'];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: string[]) =>
    cells.map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i]!))).join('  ');
  return [line(header), ...rows.map(line)].join('\n');
}

export async function runPorts(
  ctx: PortListContext,
  options: { json: boolean },
  write: (text: string) => void,
): Promise<void> {
  const ports = await listSerialPorts(ctx);
  write(options.json ? JSON.stringify(ports, null, 2) : formatPortTable(ports));
}

export function register(program: Command): void {
  program
    .command('ports')
    .description(
      'list serial ports: path, /dev/serial/by-id name, USB vendor:product and a board guess',
    )
    .option('--json', 'print JSON instead of a table', false)
    .addHelpText(
      'after',
      '\nGuesses: 0483:5740 Espruino, 10c4:ea60 CP210x and 1a86:7523 CH340 (ESP boards and clones),\n' +
        '0403:6001 FTDI, 2341:* Arduino. Use the by-id path with --port: it survives replugging.',
    )
    .action(async (options: { json: boolean }) => {
      await runPorts({ binding: SerialPort.binding }, options, (text) => console.log(text));
    });
}
