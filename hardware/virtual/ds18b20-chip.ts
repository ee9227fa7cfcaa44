/**
 * A simulated DS18B20 digital thermometer on a 1-Wire bus (Maxim DS18B20 datasheet, rev. 6).
 *
 * Function commands (datasheet p. 11-12): 0x44 CONVERT T, 0xBE READ SCRATCHPAD, 0x4E WRITE
 * SCRATCHPAD (TH, TL, config), 0x48 COPY SCRATCHPAD, 0xB8 RECALL E2, 0xB4 READ POWER SUPPLY.
 * The scratchpad (p. 7, Figure 7) holds the temperature LSB/MSB, TH, TL, the configuration
 * (resolution in bits 5-6), three reserved bytes (0xFF, 0x0C, 0x10) and a CRC8.
 * The temperature register reads 85 °C (0x0550) until the first conversion (p. 6).
 * Simplification: a conversion completes at once instead of taking up to 750 ms.
 */
import type { OneWirePeripheral } from './firmata/buses.js';

export const DS18B20_FAMILY = 0x28;
const POWER_ON_RAW = 0x0550;

/** Dallas/Maxim CRC8 (polynomial x^8 + x^5 + x^4 + 1), as in the datasheet's p. 9. */
export function crc8(bytes: number[]): number {
  let crc = 0;
  for (let byte of bytes) {
    for (let bit = 0; bit < 8; bit++) {
      const mix = (crc ^ byte) & 0x01;
      crc >>= 1;
      if (mix) crc ^= 0x8c;
      byte >>= 1;
    }
  }
  return crc;
}

/** A ROM code for family 0x28 from a 48-bit serial number. */
export function ds18b20Rom(serial: number): number[] {
  const bytes = [DS18B20_FAMILY];
  for (let i = 0; i < 6; i++) bytes.push(Math.floor(serial / 2 ** (8 * i)) & 0xff);
  return [...bytes, crc8(bytes)];
}

/** Temperature register value for a reading at a resolution (9-12 bits; datasheet Table 1). */
export function encodeDs18b20(celsius: number, bits: number): number {
  const clamped = Math.max(-55, Math.min(125, celsius));
  const raw = Math.round(clamped * 16);
  const dropped = 12 - bits; // undefined low bits read as 0 at lower resolutions
  return ((raw >> dropped) << dropped) & 0xffff;
}

/** 'command': waiting for a function command; 'done': the command ran, ignoring until reset. */
type Phase = 'command' | 'done' | 'read-scratchpad' | 'write-scratchpad' | 'read-power';

export class Ds18b20Chip implements OneWirePeripheral {
  readonly rom: number[];
  private temperatureRaw = POWER_ON_RAW;
  private th = 0x4b;
  private tl = 0x46;
  private config = 0x7f; // 12-bit, the factory default
  private eeprom = { th: 0x4b, tl: 0x46, config: 0x7f };
  private phase: Phase = 'command';
  private cursor = 0;
  private incoming: number[] = [];

  constructor(
    private readonly readTemperature: () => number,
    serial = 1,
  ) {
    this.rom = ds18b20Rom(serial);
  }

  get resolutionBits(): number {
    return 9 + ((this.config >> 5) & 0x03);
  }

  scratchpad(): number[] {
    const bytes = [
      this.temperatureRaw & 0xff,
      (this.temperatureRaw >> 8) & 0xff,
      this.th,
      this.tl,
      this.config,
      0xff,
      0x0c,
      0x10,
    ];
    return [...bytes, crc8(bytes)];
  }

  reset(): void {
    this.phase = 'command';
    this.cursor = 0;
    this.incoming = [];
  }

  writeByte(byte: number): void {
    if (this.phase === 'write-scratchpad') {
      this.incoming.push(byte);
      if (this.incoming.length === 3) {
        [this.th, this.tl] = this.incoming;
        this.config = (this.incoming[2] & 0x60) | 0x1f;
        this.phase = 'done';
      }
      return;
    }
    if (this.phase !== 'command') return; // one function command per reset (datasheet p. 10)
    this.phase = 'done';
    switch (byte) {
      case 0x44:
        this.temperatureRaw = encodeDs18b20(this.readTemperature(), this.resolutionBits);
        break;
      case 0xbe:
        this.phase = 'read-scratchpad';
        this.cursor = 0;
        break;
      case 0x4e:
        this.phase = 'write-scratchpad';
        this.incoming = [];
        break;
      case 0x48:
        this.eeprom = { th: this.th, tl: this.tl, config: this.config };
        break;
      case 0xb8:
        ({ th: this.th, tl: this.tl, config: this.config } = this.eeprom);
        break;
      case 0xb4:
        this.phase = 'read-power';
        break;
      default:
        return; // an unknown command: the chip waits for the next reset
    }
  }

  readByte(): number {
    if (this.phase === 'read-scratchpad') {
      const pad = this.scratchpad();
      return this.cursor < pad.length ? pad[this.cursor++] : 0xff;
    }
    // READ POWER SUPPLY: an externally powered chip holds the bus high (reads 1s).
    return 0xff;
  }
}
