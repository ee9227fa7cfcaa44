/**
 * The board's I2C master (StandardFirmata's I2C_REQUEST / I2C_CONFIG handling, i2c.md):
 * write, read once, read continuously (every sampling interval, at most I2C_MAX_QUERIES), stop.
 * A read with a register first writes the register, then reads, as Wire does.
 */

import type { I2cPeripheral } from './buses.js';
import {
  I2C_10BIT_ADDRESS,
  I2C_MAX_QUERIES,
  I2C_MODE_MASK,
  I2C_REPLY,
  I2cMode,
} from './constants.js';
import { bytesAsPairs, sysex } from './encode.js';

interface ContinuousQuery {
  address: number;
  register: number | null;
  count: number;
}

export interface I2cHostContext {
  devices: I2cPeripheral[];
  send(bytes: number[]): void;
  sendString(text: string): void;
}

function pairsToBytes(data: number[]): number[] {
  const out: number[] = [];
  for (let i = 0; i + 1 < data.length; i += 2) out.push((data[i] | (data[i + 1] << 7)) & 0xff);
  return out;
}

export class I2cHost {
  private enabled = false;
  /** Delay between writing the register and reading, µs (I2C_CONFIG); recorded, not waited. */
  readDelayUs = 0;
  private queries: ContinuousQuery[] = [];

  constructor(private readonly ctx: I2cHostContext) {}

  get isEnabled(): boolean {
    return this.enabled;
  }

  get continuousReads(): readonly ContinuousQuery[] {
    return this.queries;
  }

  reset(): void {
    this.enabled = false;
    this.readDelayUs = 0;
    this.queries = [];
  }

  config(data: number[]): void {
    this.enabled = true;
    if (data.length >= 2) this.readDelayUs = data[0] | (data[1] << 7);
  }

  request(data: number[]): void {
    if (data.length < 2) return;
    if (!this.enabled) {
      // StandardFirmata enables I2C on the first request, too (enableI2CPins in sysexCallback).
      this.enabled = true;
    }
    const modeByte = data[1];
    if (modeByte & I2C_10BIT_ADDRESS) {
      this.ctx.sendString('10-bit addressing not supported');
      return;
    }
    const address = data[0];
    const mode = (modeByte & I2C_MODE_MASK) >> 3;
    const args = data.slice(2);
    switch (mode) {
      case I2cMode.WRITE:
        // StandardFirmata ignores Wire.endTransmission()'s result: a write to nobody is silent.
        this.device(address)?.write(pairsToBytes(args));
        return;
      case I2cMode.READ_ONCE:
        this.readAndReport(this.parseRead(address, args));
        return;
      case I2cMode.READ_CONTINUOUSLY:
        if (this.queries.length >= I2C_MAX_QUERIES) {
          this.ctx.sendString('too many queries');
          return;
        }
        this.queries.push(this.parseRead(address, args));
        return;
      case I2cMode.STOP_READING:
        this.queries = this.queries.filter((q) => q.address !== address);
        return;
    }
  }

  /** One round of continuous reads: called every sampling interval. */
  tick(): void {
    for (const query of this.queries) this.readAndReport(query);
  }

  private parseRead(address: number, args: number[]): ContinuousQuery {
    // With a register: register LSB/MSB then count LSB/MSB; without: count only (i2c.md).
    if (args.length >= 4) {
      return { address, register: args[0] | (args[1] << 7), count: args[2] | (args[3] << 7) };
    }
    return { address, register: null, count: (args[0] ?? 0) | ((args[1] ?? 0) << 7) };
  }

  private device(address: number): I2cPeripheral | undefined {
    return this.ctx.devices.find((d) => d.address === address);
  }

  private readAndReport({ address, register, count }: ContinuousQuery): void {
    const device = this.device(address);
    let bytes: number[] = [];
    if (device) {
      if (register !== null) device.write([register]);
      bytes = device.read(count);
    } else {
      this.ctx.sendString('I2C: Too few bytes received');
    }
    // firmata.js matches replies to requests by register; 0 stands for "none given".
    const reg = register ?? 0;
    this.ctx.send(
      sysex(I2C_REPLY, [
        address & 0x7f,
        (address >> 7) & 0x7f,
        reg & 0x7f,
        (reg >> 7) & 0x7f,
        ...bytesAsPairs(bytes),
      ]),
    );
  }
}
