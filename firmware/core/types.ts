/**
 * The device runtime's seams. The core is platform-neutral: it talks to the board only through
 * these small interfaces, so the node target (johnny-five) and the espruino target (a bundle on
 * the board) differ only in what they inject.
 *
 * Everything under firmware/core/ goes into the Espruino bundle, so it is written in the subset
 * the interpreter accepts (see shared/espruino.md): callbacks instead of async/await, no
 * destructuring, spread, default parameters, Map/Set, optional chaining, `**`, class fields or
 * Array.from. test/firmware/core-syntax.test.ts checks every file with the Espruino syntax check.
 */
import type { ReadingValue } from '../../contract/payloads.js';
import type { DriverFactory } from './drivers/types.js';

/** A callback that receives an error message or null. */
export type Done = (error: string | null) => void;

/** One telemetry channel of a sensor (a BME280 has three). Its kind and unit are in the birth. */
export interface ChannelPlan {
  /** The reading id in telemetry: the sensor id, or `<sensor>_<quantity>` for multi-quantity parts. */
  id: string;
  /** Report when the value moved by more than this; 0 reports every change. */
  deadband: number;
  /** Decimals the reading is reported with (the catalog's), so the outbox can store floats. */
  decimals: number;
  /** An on/off reading (button, motion), reported as true/false; absent for numbers. */
  flag?: boolean;
}

/** A sensor, resolved from the device config and the catalog before the runtime starts. */
export interface SensorPlan {
  id: string;
  /** Catalog part name (tmp36, photoresistor, button, bme280…), selects the driver. */
  part: string;
  /** The driver itself, in an Espruino bundle's plan (PLAN_DRIVERS), which names no parts. */
  driver?: DriverFactory;
  /** The pin of an analog, digital or 1-Wire sensor; absent for I2C. */
  pin?: string;
  /** The I2C address; absent for pin sensors. */
  address?: number;
  channels: ChannelPlan[];
  sampleMs: number;
  minReportMs: number;
  maxReportMs: number;
  /** The ADC's reference voltage, only in an Espruino bundle's plan and only on a sensor read
   *  in volts (TMP36, LM35): the bundle's plan has no vref of its own (build.ts bundlePlan). */
  vref?: number;
  /** The config's part parameters (NTC beta, LDR gamma…); absent when it sets none. */
  params?: Record<string, number | string | boolean>;
}

export interface ActuatorPlan {
  id: string;
  /** Catalog part name: led, relay, pwm, servo. */
  part: string;
  pin: string;
  /** Inclusive bounds of a numeric actuator (PWM 0-255, servo degrees 0-180); absent for
   *  on/off ones (led, relay), which take true or false. */
  min?: number;
  max?: number;
  /** A numeric actuator that takes whole numbers only (PWM 0-255). */
  integer?: boolean;
  initial: ReadingValue;
}

/**
 * Everything the runtime needs, already validated and defaulted: built from a DeviceConfig by
 * firmware/core/plan.ts on Node, and embedded as data in the Espruino bundle by the build
 * (which leaves out what the bundle does not read).
 */
export interface RuntimePlan {
  id: string;
  /** The board profile id and the firmware id, as in the birth (the runtime reads them from
   *  `birth`; the bundle leaves them out). */
  board: string;
  fw: string;
  /** Reference voltage of the ADC, for analog sensors (5 on an Uno, 3.3 on an ESP32). */
  vref: number;
  sensors: SensorPlan[];
  actuators: ActuatorPlan[];
  /** Offline buffer capacity in telemetry messages, preallocated. */
  bufferSize: number;
  /** Telemetry messages in flight (sent, not yet PUBACKed) at a time. */
  window: number;
  keepaliveS: number;
  sysIntervalMs: number;
  /** Reconnect backoff bounds. */
  backoff: BackoffPolicy;
  /** The static members of the birth message, as JSON text: `"fw":…,"board":…,"sensors":[…],
   *  "actuators":[…]`. Built once by the plan, so a board never rebuilds it; a function
   *  returning it, so that in the Espruino bundle the text stays in flash between births. */
  birth: () => string;
}

export interface BackoffPolicy {
  minMs: number;
  maxMs: number;
  /** Growth per failed attempt (2 doubles). */
  factor: number;
  /** Fraction of the delay randomised, 0 to 1 (0.5: the delay is 50-100% of the nominal). */
  jitter: number;
}

/** What a CONNECT carries (clean session always) besides the credentials, which are the
 *  transport's own, as its broker is. The will is the device's `lost` status: QoS 1 and
 *  retained, as the contract has it, so those two are not options. */
export interface ConnectOptions {
  clientId: string;
  keepaliveS: number;
  willTopic: string;
  willPayload: string;
}

export interface TransportEvents {
  /** The broker accepted the connection (CONNACK 0). */
  connected(): void;
  /** The connection ended or could not be opened; the transport will not reconnect by itself. */
  closed(reason: string): void;
  /** A message on a subscribed topic. */
  received(topic: string, payload: string): void;
}

/**
 * One MQTT connection at a time. The core decides when to (re)connect; the transport only opens,
 * carries and closes. Keepalive (PINGREQ) is the transport's job, using keepaliveS.
 */
export interface Transport {
  /** Opens the connection (connect, in MQTT's words: not the name, which the bundle keeps for
   *  Espruino's net.connect). */
  open(options: ConnectOptions, events: TransportEvents): void;
  /** `done` runs when a QoS 1 message is acknowledged (PUBACK) or a QoS 0 one is written;
   *  with an error when the connection closed first. Positional, and `retain` last and
   *  optional (only the status is retained): the Espruino bundle carries every call site. */
  publish(topic: string, payload: string, qos: 0 | 1, done: Done, retain?: boolean): void;
  /** At QoS 1, the only QoS the contract subscribes with (to its cmd topic). */
  subscribe(topic: string, done: Done): void;
  /** A clean disconnect (DISCONNECT, so the broker does not publish the will). */
  end(done: () => void): void;
}

/** Pin modes the IO is asked to prepare before use: the inputs and the plain output by the
 *  names Espruino's pinMode gives them, so that a board's IO passes them on as they are. */
export type PinMode = 'analog' | 'input' | 'output' | 'pwm' | 'servo';

/**
 * The board's pins, I2C and 1-Wire, in the spirit of a johnny-five IO plugin but smaller.
 * Pin reads answer at once (a Firmata board reports its inputs, and reads answer from the last
 * report); I2C and 1-Wire reads take a callback because they can answer later (Firmata over
 * serial, a DS18B20's conversion). A read that fails answers NaN or null, and its `why` is for
 * the host's log: a board has none, and its IO gives no text.
 */
export interface PinIO {
  setup(pin: string, mode: PinMode): void;
  /** The ADC value as a fraction of full scale, 0 to 1; NaN while the pin has no reading (a
   *  Firmata pin that has not reported yet). */
  analogRead(pin: string): number;
  /** 1 (high) or 0 (low); NaN while the pin has no reading. */
  digitalRead(pin: string): number;
  /** Calls `changed` when a digital input changes (Espruino's setWatch, Firmata's digital
   *  reports), so a button press shorter than the sampling period is not missed. */
  watch(pin: string, changed: () => void): void;
  digitalWrite(pin: string, high: boolean): void;
  /** Duty cycle 0 to 1. */
  pwmWrite(pin: string, duty: number): void;
  servoWrite(pin: string, degrees: number): void;
  i2cWrite(address: number, bytes: number[]): void;
  /** `length` bytes from `register`, or null when the device did not answer. */
  i2cRead(
    address: number,
    register: number,
    length: number,
    done: (bytes: ArrayLike<number> | null, why?: string) => void,
  ): void;
  /** A DS18B20 on a 1-Wire pin, in degrees Celsius, NaN when there is none (the protocol lives
   *  in the platform). */
  oneWireTemperature(pin: string, done: (celsius: number, why?: string) => void): void;
  /** Free and total memory, in the platform's unit. */
  memory(): { free: number; total: number; unit: 'bytes' | 'vars' };
}

/** Where the boot counter lives: a file on Node, Storage on Espruino. */
export interface BootStore {
  /** Increments and returns the boot counter (1 on the first boot). */
  nextBoot(): number;
}

export type LogLevel = 'debug' | 'info' | 'warn' | 'error';

/** The runtime's logger: pino on Node, console on Espruino. */
export interface RuntimeLog {
  log(level: LogLevel, message: string, data: Record<string, unknown> | null): void;
}

/** The injected clock (lib/clock.ts has systemClock and ManualClock). */
export interface RuntimeClock {
  now(): number;
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(id: unknown): void;
}

export type ReadingValues = Record<string, ReadingValue>;

/** The connection state, a closed set. */
export type ConnectionState = 'idle' | 'connecting' | 'online' | 'waiting' | 'stopping' | 'stopped';
