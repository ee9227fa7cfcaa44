/**
 * Firmata protocol bytes, as defined by the Firmata protocol v2.6 (firmata/protocol, protocol.md
 * and i2c.md, onewire.md) and used by StandardFirmata 2.5 / ConfigurableFirmata.
 */

/** Commands with a 4-bit channel/port in the low nibble (MIDI-style). */
export const DIGITAL_MESSAGE = 0x90;
export const ANALOG_MESSAGE = 0xe0;
export const REPORT_ANALOG = 0xc0;
export const REPORT_DIGITAL = 0xd0;

/** Single-byte commands. */
export const SET_PIN_MODE = 0xf4;
export const SET_DIGITAL_PIN_VALUE = 0xf5;
export const REPORT_VERSION = 0xf9;
export const SYSTEM_RESET = 0xff;
export const START_SYSEX = 0xf0;
export const END_SYSEX = 0xf7;

/** Sysex commands (the byte after START_SYSEX). */
export const SERIAL_MESSAGE = 0x60;
export const ANALOG_MAPPING_QUERY = 0x69;
export const ANALOG_MAPPING_RESPONSE = 0x6a;
export const CAPABILITY_QUERY = 0x6b;
export const CAPABILITY_RESPONSE = 0x6c;
export const PIN_STATE_QUERY = 0x6d;
export const PIN_STATE_RESPONSE = 0x6e;
export const EXTENDED_ANALOG = 0x6f;
export const SERVO_CONFIG = 0x70;
export const STRING_DATA = 0x71;
export const ONEWIRE_DATA = 0x73;
export const I2C_REQUEST = 0x76;
export const I2C_REPLY = 0x77;
export const I2C_CONFIG = 0x78;
export const REPORT_FIRMWARE = 0x79;
export const SAMPLING_INTERVAL = 0x7a;

/** Pin modes (protocol.md "pin modes"). */
export const PinMode = {
  INPUT: 0x00,
  OUTPUT: 0x01,
  ANALOG: 0x02,
  PWM: 0x03,
  SERVO: 0x04,
  SHIFT: 0x05,
  I2C: 0x06,
  ONEWIRE: 0x07,
  STEPPER: 0x08,
  ENCODER: 0x09,
  SERIAL: 0x0a,
  PULLUP: 0x0b,
  IGNORE: 0x7f,
} as const;
export type PinModeValue = (typeof PinMode)[keyof typeof PinMode];

export const PIN_MODE_NAMES: Record<number, string> = Object.fromEntries(
  Object.entries(PinMode).map(([name, value]) => [value, name]),
);

/** I2C_REQUEST byte 3: read/write mode in bits 3-4 (i2c.md). */
export const I2C_MODE_MASK = 0x18;
export const I2C_10BIT_ADDRESS = 0x20;
export const I2cMode = { WRITE: 0, READ_ONCE: 1, READ_CONTINUOUSLY: 2, STOP_READING: 3 } as const;

/** ONEWIRE_DATA subcommands (onewire.md; ConfigurableFirmata OneWireFirmata). */
export const OneWire = {
  SEARCH_REQUEST: 0x40,
  CONFIG_REQUEST: 0x41,
  SEARCH_REPLY: 0x42,
  READ_REPLY: 0x43,
  SEARCH_ALARMS_REQUEST: 0x44,
  SEARCH_ALARMS_REPLY: 0x45,
  RESET_BIT: 0x01,
  SKIP_BIT: 0x02,
  SELECT_BIT: 0x04,
  READ_BIT: 0x08,
  DELAY_BIT: 0x10,
  WRITE_BIT: 0x20,
  WITH_DATA_BITS: 0x3c,
} as const;

/** StandardFirmata's default and minimum sampling interval, ms (StandardFirmata.ino). */
export const DEFAULT_SAMPLING_INTERVAL_MS = 19;
export const MINIMUM_SAMPLING_INTERVAL_MS = 1;
/** StandardFirmata keeps at most 8 continuous I2C reads (I2C_MAX_QUERIES). */
export const I2C_MAX_QUERIES = 8;
