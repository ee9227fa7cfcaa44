/**
 * Types of catalog parts: sensors turn a raw value (ADC count, pin level, register value) into a
 * reading; actuators say which values they accept. Each part lives in parts/<kind>.ts with the
 * datasheet facts it relies on cited beside them.
 */
import type { ReadingValue } from '../../contract/payloads.js';
import type { PinCapability, Quantity } from '../config/types.js';

export type SensorInterface = 'analog' | 'digital' | 'i2c' | 'onewire';
export type ActuatorInterface = 'digital' | 'pwm' | 'servo';

export interface QuantitySpec {
  quantity: Quantity;
  /** Unit as reported in the birth message: "°C", "%", "hPa", "lx"; "" for booleans. */
  unit: string;
  /** The datasheet's valid range ([0, 1] for booleans). */
  range: [number, number];
  /** Decimals a reading is rounded to (absent for booleans). */
  decimals?: number;
  boolean?: true;
}

export type ParamValue = number | string | boolean;
export type PartParams = Record<string, ParamValue>;

export type ParamSpec =
  | {
      type: 'number';
      default: number;
      min: number;
      max: number;
      unit?: string;
      description: string;
    }
  | { type: 'enum'; default: string; allowed: string[]; description: string }
  | { type: 'boolean'; default: boolean; description: string };

/** What a conversion needs from the board and the device config. */
export interface ConvertContext {
  /** ADC resolution of the board (10 on an Uno, 12 on an ESP32). */
  adcBits: number;
  /** ADC reference (full-scale) voltage. */
  volts: number;
  /** The sensor's params merged over the part's defaults (see resolveParams). */
  params: PartParams;
}

/** One value per quantity the part measures: `{ temperature: 24.3 }`. */
export type Reading = Partial<Record<Quantity, ReadingValue>>;

/** Rails a part is powered from. `logic` is the board's logic voltage (3.3 V or 5 V). */
export type SupplyRail = 'logic' | '3V3' | '5V';

export interface PartNeeds {
  /** Pull-up from the signal to the supply, ohms (DS18B20 4.7 kΩ, I2C lines, button). */
  pullup?: number;
  /** The fixed resistor of a voltage divider, ohms (NTC, photoresistor); see the part's wiring. */
  divider?: number;
  /** Resistor in series with the signal, ohms (LED). */
  seriesResistor?: number;
  supply: SupplyRail;
  /** Supply range from the datasheet, volts. */
  supplyVolts: [number, number];
}

interface PartBase {
  kind: string;
  name: string;
  /** Datasheet (and section) the facts below come from. */
  datasheet: string;
  needs: PartNeeds;
  params: Record<string, ParamSpec>;
}

export interface SensorPart<Raw = number> extends PartBase {
  category: 'sensor';
  interface: SensorInterface;
  quantities: QuantitySpec[];
  defaultSampleMs: number;
  /** The part cannot be read faster than this (DS18B20: 750 ms conversion). */
  minSampleMs: number;
  /** I2C parts: the addresses the part can answer on; the first is the default. */
  i2cAddresses?: number[];
  /** Raw value (ADC count for analog parts, 0/1 for digital, register value) to reading. */
  convert(raw: Raw, ctx: ConvertContext): Reading;
  /** The inverse: the raw value the part produces for a reading. Virtual boards use it. */
  rawFor(reading: Reading, ctx: ConvertContext): Raw;
}

export interface ActuatorPart extends PartBase {
  category: 'actuator';
  interface: ActuatorInterface;
  /** The pin capability the actuator needs. */
  capability: PinCapability;
  value: { type: 'boolean' } | { type: 'number'; range: [number, number]; integer: boolean };
  /** Error text when `value` is not one the actuator accepts (naming what is allowed), else undefined. */
  validateValue(value: unknown, params?: PartParams): string | undefined;
}

/** Any sensor part, whatever its raw type (a number, or the BME280's register values). */
// biome-ignore lint/suspicious/noExplicitAny: the raw type differs per part; callers narrow by kind.
export type AnySensorPart = SensorPart<any>;
export type CatalogPart = AnySensorPart | ActuatorPart;
