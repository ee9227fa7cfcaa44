/**
 * A simulated Bosch BME280 (temperature, humidity, pressure) on I2C at 0x76 or 0x77, with the
 * real register map (BST-BME280-DS002 §5.3): 0x88-0xA1 and 0xE1-0xE7 calibration, 0xD0 id (0x60),
 * 0xE0 reset (write 0xB6), 0xF2 ctrl_hum, 0xF3 status, 0xF4 ctrl_meas, 0xF5 config, 0xF7-0xFE
 * data (pressure and temperature 20-bit msb/lsb/xlsb[7:4], humidity 16-bit).
 * Reads auto-increment the register pointer; a burst write is register/value pairs (§6.2).
 * After reset the chip sleeps and the data registers hold 0x80000 / 0x8000 ("skipped"). Forced
 * mode takes one measurement and returns to sleep; normal mode measures the world on every data
 * read. ctrl_hum takes effect at the next write to ctrl_meas (§5.4.3).
 * The raw counts come from the catalog's inverse of the datasheet compensation (adcFor), so a
 * driver that decodes with the datasheet formulas reads the world's values back.
 */
import { adcFor, type Bme280Calibration } from '../catalog/parts/bme280-compensation.js';
import {
  BME280_ADDRESSES,
  BME280_CHIP_ID,
  BME280_RESET_COMMAND,
  encodeCalibration,
  encodeData,
  BME280_REGISTERS as REG,
  SAMPLE_CALIBRATION,
} from '../catalog/parts/bme280-registers.js';
import type { I2cPeripheral } from './firmata/buses.js';

export interface Bme280Environment {
  /** °C */
  readTemperature(): number;
  /** Pa */
  readPressure(): number;
  /** %RH */
  readHumidity(): number;
}

const DATA_END = REG.data + REG.dataLength - 1;
const SKIPPED = { temperature: 0x80000, pressure: 0x80000, humidity: 0x8000 };

export class Bme280Chip implements I2cPeripheral {
  readonly address: number;
  private readonly registers = new Uint8Array(256);
  private pointer = 0;
  private humidityOversampling = 0;

  constructor(
    private readonly environment: Bme280Environment,
    address = 0x77,
    private readonly calibration: Bme280Calibration = SAMPLE_CALIBRATION,
  ) {
    if (!(BME280_ADDRESSES as readonly number[]).includes(address)) {
      throw new Error(
        `BME280: address 0x${address.toString(16)} is not possible; allowed 0x76 (SDO to GND) or 0x77 (SDO to VDDIO)`,
      );
    }
    this.address = address;
    this.powerOnReset();
  }

  private powerOnReset(): void {
    this.registers.fill(0);
    const { block1, block2 } = encodeCalibration(this.calibration);
    this.registers.set(block1, REG.calib00);
    this.registers.set(block2, REG.calib26);
    this.registers[REG.id] = BME280_CHIP_ID;
    this.humidityOversampling = 0;
    this.registers.set(encodeData(SKIPPED), REG.data);
  }

  private get mode(): 'sleep' | 'forced' | 'normal' {
    const bits = this.registers[REG.ctrlMeas] & 0x03;
    return bits === 0 ? 'sleep' : bits === 3 ? 'normal' : 'forced';
  }

  /** Samples the environment into the data registers; oversampling 0 means "skipped". */
  private measure(): void {
    const ctrl = this.registers[REG.ctrlMeas];
    const adc = adcFor(
      {
        celsius: this.environment.readTemperature(),
        pascals: this.environment.readPressure(),
        percent: this.environment.readHumidity(),
      },
      this.calibration,
    );
    this.registers.set(
      encodeData({
        temperature: (ctrl >> 5) & 0x07 ? adc.temperature : SKIPPED.temperature,
        pressure: (ctrl >> 2) & 0x07 ? adc.pressure : SKIPPED.pressure,
        humidity: this.humidityOversampling ? adc.humidity : SKIPPED.humidity,
      }),
      REG.data,
    );
  }

  write(bytes: number[]): void {
    if (bytes.length === 0) return;
    const [register, ...values] = bytes;
    this.pointer = register & 0xff;
    const pairs: [number, number][] = [];
    if (values.length > 0) pairs.push([register, values[0]]);
    for (let i = 1; i + 1 < values.length; i += 2) pairs.push([values[i], values[i + 1]]);
    for (const [reg, value] of pairs) this.writeRegister(reg & 0xff, value & 0xff);
  }

  private writeRegister(register: number, value: number): void {
    switch (register) {
      case REG.reset:
        if (value === BME280_RESET_COMMAND) this.powerOnReset();
        return;
      case REG.ctrlHum:
        this.registers[register] = value & 0x07;
        return;
      case REG.ctrlMeas:
        this.registers[register] = value;
        this.humidityOversampling = this.registers[REG.ctrlHum] & 0x07;
        if (this.mode === 'forced') {
          this.measure();
          this.registers[REG.ctrlMeas] = value & 0xfc; // back to sleep after one measurement
        }
        return;
      case REG.config:
        this.registers[register] = value & 0xfd;
        return;
      default:
        return; // read-only registers ignore writes
    }
  }

  read(count: number): number[] {
    if (this.mode === 'normal' && this.pointer <= DATA_END && this.pointer + count > REG.data) {
      this.measure();
    }
    const out: number[] = [];
    for (let i = 0; i < count; i++) {
      out.push(this.registers[this.pointer]);
      this.pointer = (this.pointer + 1) & 0xff;
    }
    return out;
  }

  /** A register's content, for tests. */
  peek(register: number): number {
    return this.registers[register & 0xff];
  }
}
