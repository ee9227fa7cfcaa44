/**
 * DS18B20 1-Wire digital thermometer. Maxim DS18B20 datasheet (19-7487 Rev 6):
 * - the temperature register is a 16-bit two's complement value in 1/16 °C at 12-bit
 *   resolution (Figure 4 and Table 1: 0x07D0 = +125 °C, 0x0191 = +25.0625 °C,
 *   0xFF5E = −10.125 °C, 0xFC90 = −55 °C; 0x0550 = +85 °C is the power-on reset value);
 * - range −55 °C to +125 °C; a 12-bit conversion takes up to 750 ms (Table 2);
 * - the DQ line needs a 4.7 kΩ pull-up to VDD (Figure 6); supply 3.0 V to 5.5 V.
 * Several DS18B20 may share one 1-Wire pin: each has its own 64-bit ROM code.
 */
import type { QuantitySpec, SensorPart } from '../types.js';

const temperature: QuantitySpec = {
  quantity: 'temperature',
  unit: '°C',
  range: [-55, 125],
  decimals: 4,
};

export const ds18b20: SensorPart = {
  kind: 'ds18b20',
  name: 'DS18B20 1-Wire temperature sensor',
  category: 'sensor',
  interface: 'onewire',
  datasheet: 'Maxim DS18B20 (19-7487 Rev 6), Figure 4, Tables 1 and 2, Figure 6',
  quantities: [temperature],
  defaultSampleMs: 2000,
  minSampleMs: 750,
  needs: { supply: 'logic', supplyVolts: [3.0, 5.5], pullup: 4700 },
  params: {},
  /** `raw` is the temperature register (scratchpad bytes 0 and 1, LSB first), signed or not. */
  convert(raw) {
    const signed = (raw & 0xffff) >= 0x8000 ? (raw & 0xffff) - 0x10000 : raw & 0xffff;
    return { temperature: signed / 16 };
  },
  rawFor(reading) {
    return Math.round(Number(reading.temperature) * 16) & 0xffff;
  },
};
