/**
 * Types of the hardware data: board profiles, catalog parts and device configs.
 * Shared by hardware (validation, wiring), firmware (the runtime is driven by a DeviceConfig),
 * virtual boards and the gateway. The JSON Schemas and cross-field checks live beside this file.
 */

/** Where a board's code runs. */
export type RuntimeTarget = 'node-raspi' | 'node-firmata' | 'espruino';

/** What a pin can do. */
export type PinCapability =
  | 'digital-in'
  | 'digital-out'
  | 'analog-in'
  | 'pwm'
  | 'servo'
  | 'i2c-sda'
  | 'i2c-scl'
  | 'onewire'
  | 'uart-tx'
  | 'uart-rx';

export interface PinProfile {
  /** The name used in device configs: "A0", "13", "D5", "GPIO4", "B3"… */
  name: string;
  /** Firmata pin number (node-firmata boards), BCM number (Pi) or Espruino pin name. */
  id: number | string;
  /** Header position, for wiring diagrams (Pi header pin 1-40; Arduino side and index). */
  header?: string;
  capabilities: PinCapability[];
  /** For analog inputs on Firmata boards: the analog channel (A0 → 0). */
  analogChannel?: number;
  /** Input voltage limit: 3.3 V parts on 5 V pins need a level shifter. */
  volts?: number;
  note?: string;
  /** Other names a device config may use for this pin ("GPIO5", "D13"); matched case-insensitively. */
  aliases?: string[];
}

export interface BoardProfile {
  id: string;
  name: string;
  target: RuntimeTarget;
  /** Logic level in volts. */
  logicVolts: number;
  /** ADC resolution in bits (10 on an Uno, 12 on ESP32); absent when the board has no ADC. */
  adcBits?: number;
  /** Espruino boards: memory in variables (see shared/espruino.md). */
  espruinoVars?: number;
  pins: PinProfile[];
  /** I2C buses; `pullupOhms` when the board already has pull-ups on them (the Pi: 1.8 kΩ). */
  i2c?: { sda: string; scl: string; bus?: number; pullupOhms?: number }[];
  onewire?: string[];
  /** Power pins for wiring diagrams. */
  power: { v33?: string[]; v5?: string[]; gnd: string[] };
  /** Wi-Fi the firmware must join itself (ESP boards, Espruino WiFi): a device config for this
   *  board needs network.wifi. A Pi gets its network from the OS, so it is not set there. */
  wifi?: boolean;
  usb?: { vendorIds: string[]; productIds?: string[] };
  /** Header pins (pin and power names, power names may repeat) along each edge, top to bottom:
   *  the wiring diagram draws the board from it. */
  layout?: { left: string[]; right: string[] };
  /** ADC reference voltage (full scale), when it differs from logicVolts. */
  adcVolts?: number;
  /** Where the facts come from (datasheet, pinout, Firmata Boards.h, Espruino board file). */
  sources?: string[];
  notes?: string[];
}

/** A reading: a number (with a unit) or a boolean (button, motion). */
export type Quantity =
  | 'temperature'
  | 'humidity'
  | 'pressure'
  | 'light'
  | 'button'
  | 'motion'
  | 'raw';

export interface SensorConfig {
  /** Sensor id in telemetry (`[a-z0-9][a-z0-9_-]{0,31}`). A multi-quantity part (BME280) reports
   *  one reading per quantity, named `<id>_<quantity>`, e.g. `env_temperature`. */
  id: string;
  /** Catalog part: tmp36, lm35, ntc, photoresistor, button, pir, ds18b20, bme280. */
  part: string;
  /** Signal pin (analog, digital, 1-Wire); absent for I2C parts. */
  pin?: string;
  /** I2C parts: bus address (BME280: 0x76 or 0x77). */
  address?: number;
  /** I2C parts: which of the board's buses (its `i2c[].bus`, or the index into `i2c`); default
   *  the first. */
  bus?: number;
  /** Sampling period in ms (default: the catalog part's). */
  sampleMs?: number;
  /** Report only when the value moved by more than this (in the reading's unit). */
  deadband?: number;
  /** Never report more often than this, ms. */
  minReportMs?: number;
  /** Report at least this often even without change, ms. */
  maxReportMs?: number;
  /** Part-specific parameters (NTC beta, series resistor, pull-up…). */
  params?: Record<string, number | string | boolean>;
}

export interface ActuatorConfig {
  id: string;
  /** Catalog part: led, relay, pwm, servo. */
  part: string;
  pin: string;
  /** Initial state (false/0 by default). */
  initial?: number | boolean;
  params?: Record<string, number | string | boolean>;
}

export interface DeviceConfig {
  /** Device id (`[a-z0-9][a-z0-9-]{0,62}`), also its MQTT client id and username. */
  id: string;
  name?: string;
  /** Board profile id: uno, nano, mega, rpi4, rpi5, rpi3bp, rpizero2w, esp32, esp8266, pico, espruino-wifi. */
  board: string;
  sensors: SensorConfig[];
  actuators: ActuatorConfig[];
  /** Default reporting bounds for sensors that don't set their own, ms. */
  reporting?: { minReportMs?: number; maxReportMs?: number };
  /** Offline buffer size in readings (messages), preallocated. */
  bufferSize?: number;
  network?: { wifi?: { ssid: string; password: string } };
  broker?: { url: string; username?: string; password?: string; keepaliveS?: number };
  /** Simulation: which virtual board and world to use when no hardware is attached. */
  simulation?: {
    /** Seed for the simulated world's noise, so runs are reproducible. */
    seed?: number;
    /** Base temperature (°C), daily swing (°C), light level (0-1)… */
    world?: Record<string, number>;
  };
}
