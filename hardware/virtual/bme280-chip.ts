/**
 * A simulated Bosch BME280 (temperature, humidity, pressure) on I2C at 0x76 or 0x77, with the
 * real register map (BST-BME280-DS002, section 5.3, Table 18):
 *   0x88-0xA1, 0xE1-0xE7 calibration; 0xD0 id (0x60); 0xE0 reset (write 0xB6);
 *   0xF2 ctrl_hum; 0xF3 status; 0xF4 ctrl_meas; 0xF5 config;
 *   0xF7-0xF9 press (msb, lsb, xlsb[7:4]), 0xFA-0xFC temp, 0xFD-0xFE hum.
 * Reads auto-increment the register pointer, as the chip does (section 6.2.2).
 * Sleep mode after reset: data registers hold 0x80000 / 0x8000 ("skipped"). Forced mode takes
 * one measurement and returns to sleep; normal mode measures the world on every data read.
 * ctrl_hum takes effect at the next write to ctrl_meas (section 5.4.3).
 */
import {
  type Bme280Calibration,
  calibrationRegisters,
  DEFAULT_CALIBRATION,
  rawFromReadings,
} from './bme280-compensation.js';
import type { I2cPeripheral } from './firmata/buses.js';

export const BME280_CHIP_ID = 0x60;
export const BME280_ADDRESSES = [0x76, 0x77] as const;

export interface Bme280Environment {
  readTemperature(): number;
  readPressure(): number;
  readHumidity(): number;
}

const REG = { ID: 0xd0, RESET: 0xe0, CTRL_HUM: 0xf2, STATUS: 0xf3, CTRL_MEAS: 0xf4, CONFIG: 0xf5 };
const DATA_START = 0xf7;
const DATA_END = 0xfe;

export class Bme280Chip implements I2cPeripheral {
  readonly address: number;
  private readonly registers = new Uint8Array(256);
  private pointer = 0;
  private humidityOversampling = 0;

  constructor(
    private readonly environment: Bme280Environment,
    address = 0x77,
    private readonly calibration: Bme280Calibration = DEFAULT_CALIBRATION,
  ) {
    if (!(BME280_ADDRESSES as readonly number[]).includes(address)) {
      throw new Error(
        `BME280: address 0x${address.toString(16)} is not possible; the chip answers at 0x76 (SDO to GND) or 0x77 (SDO to VDDIO)`,
      );
    }
    this.address = address;
    this.powerOnReset();
  }

  private powerOnReset(): void {
    this.registers.fill(0);
    const { tp, h } = calibrationRegisters(this.calibration);
    this.registers.set(tp, 0x88);
    this.registers.set(h, 0xe1);
    this.registers[REG.ID] = BME280_CHIP_ID;
    this.humidityOversampling = 0;
    this.storeSkipped();
  }

  private storeSkipped(): void {
    this.registers.set([0x80, 0x00, 0x00, 0x80, 0x00, 0x00, 0x80, 0x00], DATA_START);
  }

  private get mode(): 'sleep' | 'forced' | 'normal' {
    const bits = this.registers[REG.CTRL_MEAS] & 0x03;
    return bits === 0 ? 'sleep' : bits === 3 ? 'normal' : 'forced';
  }

  /** Samples the environment into the data registers, honouring skipped measurements. */
  private measure(): void {
    const ctrl = this.registers[REG.CTRL_MEAS];
    const raw = rawFromReadings(
      this.environment.readTemperature(),
      this.environment.readPressure(),
      this.environment.readHumidity(),
      this.calibration,
    );
    const tempOn = (ctrl >> 5) & 0x07;
    const pressOn = (ctrl >> 2) & 0x07;
    const adcP = pressOn ? raw.adcP : 0x80000;
    const adcT = tempOn ? raw.adcT : 0x80000;
    const adcH = this.humidityOversampling ? raw.adcH : 0x8000;
    const bytes20 = (v: number) => [(v >> 12) & 0xff, (v >> 4) & 0xff, (v & 0x0f) << 4];
    this.registers.set(
      [...bytes20(adcP), ...bytes20(adcT), (adcH >> 8) & 0xff, adcH & 0xff],
      DATA_START,
    );
  }

  write(bytes: number[]): void {
    if (bytes.length === 0) return;
    const [register, ...values] = bytes;
    this.pointer = register & 0xff;
    // Burst writes are register/value pairs after the first pair (datasheet 6.2.1).
    const pairs: [number, number][] = [];
    if (values.length > 0) pairs.push([register, values[0]]);
    for (let i = 1; i + 1 < values.length; i += 2) pairs.push([values[i], values[i + 1]]);
    for (const [reg, value] of pairs) this.writeRegister(reg & 0xff, value & 0xff);
  }

  private writeRegister(register: number, value: number): void {
    switch (register) {
      case REG.RESET:
        if (value === 0xb6) this.powerOnReset();
        return;
      case REG.CTRL_HUM:
        this.registers[register] = value & 0x07;
        return;
      case REG.CTRL_MEAS:
        this.registers[register] = value;
        this.humidityOversampling = this.registers[REG.CTRL_HUM] & 0x07;
        if (this.mode === 'forced') {
          this.measure();
          this.registers[REG.CTRL_MEAS] = value & 0xfc; // back to sleep after one measurement
        }
        return;
      case REG.CONFIG:
        this.registers[register] = value & 0xfd;
        return;
      default:
        return; // read-only registers ignore writes
    }
  }

  read(count: number): number[] {
    if (this.mode === 'normal' && this.pointer <= DATA_END && this.pointer + count > DATA_START) {
      this.measure();
    }
    const out: number[] = [];
    for (let i = 0; i < count; i++) {
      out.push(this.registers[this.pointer]);
      this.pointer = (this.pointer + 1) & 0xff;
    }
    return out;
  }

  /** Register contents, for tests. */
  peek(register: number): number {
    return this.registers[register & 0xff];
  }
}
