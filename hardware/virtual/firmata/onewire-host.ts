/**
 * The board's 1-Wire master, answering ONEWIRE_DATA as ConfigurableFirmata's OneWireFirmata does
 * (onewire.md): config, search (and alarm search), and requests that combine reset, skip, select,
 * read, delay and write; data is packed 7-bit (Encoder7Bit).
 * The bus does the ROM layer: MATCH ROM (0x55) selects one device, SKIP ROM (0xCC) all of them;
 * the bytes after that go to the selected devices. A read is the wired AND of selected devices.
 */

import type { OneWirePeripheral } from './buses.js';
import { ONEWIRE_DATA, OneWire } from './constants.js';
import { from7BitArray, sysex, to7BitArray } from './encode.js';

type BusPhase = 'idle' | 'rom' | 'match' | 'selected';

class OneWireBus {
  phase: BusPhase = 'idle';
  private matchBytes: number[] = [];
  private selected: OneWirePeripheral[] = [];

  constructor(readonly devices: OneWirePeripheral[]) {}

  reset(): void {
    this.phase = 'rom';
    this.selected = [];
    for (const device of this.devices) device.reset();
  }

  write(byte: number): void {
    switch (this.phase) {
      case 'rom':
        if (byte === 0xcc) {
          this.selected = [...this.devices];
          this.phase = 'selected';
        } else if (byte === 0x55) {
          this.matchBytes = [];
          this.phase = 'match';
        } else this.phase = 'idle';
        return;
      case 'match':
        this.matchBytes.push(byte);
        if (this.matchBytes.length === 8) {
          const rom = this.matchBytes.join(',');
          this.selected = this.devices.filter((d) => d.rom.join(',') === rom);
          this.phase = 'selected';
        }
        return;
      case 'selected':
        for (const device of this.selected) device.writeByte(byte);
        return;
      case 'idle':
        return;
    }
  }

  read(): number {
    if (this.phase !== 'selected') return 0xff;
    return this.selected.reduce((acc, device) => acc & device.readByte(), 0xff);
  }
}

export interface OneWireHostContext {
  devicesOn(pin: number): OneWirePeripheral[];
  send(bytes: number[]): void;
}

export class OneWireHost {
  private buses = new Map<number, OneWireBus>();

  constructor(private readonly ctx: OneWireHostContext) {}

  reset(): void {
    this.buses.clear();
  }

  /** The pins configured as 1-Wire buses. */
  get pins(): number[] {
    return [...this.buses.keys()];
  }

  private bus(pin: number): OneWireBus {
    let bus = this.buses.get(pin);
    if (!bus) {
      bus = new OneWireBus(this.ctx.devicesOn(pin));
      this.buses.set(pin, bus);
    }
    return bus;
  }

  handle(data: number[]): void {
    const [subcommand, pin, ...rest] = data;
    if (pin === undefined) return;
    switch (subcommand) {
      case OneWire.CONFIG_REQUEST:
        this.bus(pin);
        return;
      case OneWire.SEARCH_REQUEST:
      case OneWire.SEARCH_ALARMS_REQUEST: {
        // No simulated device raises an alarm, so an alarm search finds none.
        const found =
          subcommand === OneWire.SEARCH_REQUEST ? this.bus(pin).devices.flatMap((d) => d.rom) : [];
        const reply =
          subcommand === OneWire.SEARCH_REQUEST
            ? OneWire.SEARCH_REPLY
            : OneWire.SEARCH_ALARMS_REPLY;
        this.ctx.send(sysex(ONEWIRE_DATA, [reply, pin, ...to7BitArray(found)]));
        return;
      }
      default:
        this.request(subcommand, pin, rest);
    }
  }

  private request(subcommand: number, pin: number, encoded: number[]): void {
    const bus = this.bus(pin);
    if (subcommand & OneWire.RESET_BIT) bus.reset();
    if (subcommand & OneWire.SKIP_BIT) bus.write(0xcc);
    if (!(subcommand & OneWire.WITH_DATA_BITS)) return;
    let args = from7BitArray(encoded);
    let readCount = 0;
    let correlation = 0;
    if (subcommand & OneWire.SELECT_BIT) {
      if (args.length < 8) return;
      bus.write(0x55);
      for (const byte of args.slice(0, 8)) bus.write(byte);
      args = args.slice(8);
    }
    if (subcommand & OneWire.READ_BIT) {
      if (args.length < 4) return;
      readCount = args[0] | (args[1] << 8);
      correlation = args[2] | (args[3] << 8);
      args = args.slice(4);
    }
    if (subcommand & OneWire.DELAY_BIT) {
      if (args.length < 4) return;
      args = args.slice(4); // the delay passes at once: conversions complete immediately
    }
    if (subcommand & OneWire.WRITE_BIT) for (const byte of args) bus.write(byte);
    if (readCount > 0) {
      const bytes = Array.from({ length: readCount }, () => bus.read());
      const payload = [correlation & 0xff, (correlation >> 8) & 0xff, ...bytes];
      this.ctx.send(sysex(ONEWIRE_DATA, [OneWire.READ_REPLY, pin, ...to7BitArray(payload)]));
    }
  }
}
