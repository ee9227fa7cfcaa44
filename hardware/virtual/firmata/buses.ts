/**
 * What a simulated chip offers the virtual board's buses. Chips (bme280-chip.ts, ds18b20-chip.ts)
 * implement these; the board's I2C and 1-Wire hosts drive them the way Wire and OneWire do.
 */

/** An I2C target: a transaction writes bytes or reads bytes (Wire.beginTransmission/requestFrom). */
export interface I2cPeripheral {
  readonly address: number;
  write(bytes: number[]): void;
  read(count: number): number[];
}

/**
 * A 1-Wire slave at the function-command layer. The bus does the ROM layer (reset, MATCH ROM,
 * SKIP ROM, search) and hands each selected device the bytes that follow.
 */
export interface OneWirePeripheral {
  /** 64-bit ROM code: family code, 48-bit serial, CRC8, as 8 bytes. */
  readonly rom: number[];
  /** A reset pulse: the device forgets any function command in progress. */
  reset(): void;
  writeByte(byte: number): void;
  readByte(): number;
}
