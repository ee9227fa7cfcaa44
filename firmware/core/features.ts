/**
 * What this build of the firmware carries. Node runs this file as it is: everything is in.
 * The Espruino build (firmware/espruino/build.ts, `espruinoFeatures`) replaces the module
 * with the values for one device config, so the minifier drops the code that device never
 * runs: a relay-only porch light carries no PWM or servo code, a bundle without OTA no extra
 * command table, and no bundle carries log texts (a board has no one reading its console;
 * what matters goes out as acks and sys reports).
 */

/** A host that reads the runtime's state and stops it cleanly (Node, the gateway); a board
 *  runs until it is reset, so its bundle has no stop path. */
export const CONTROL: boolean = true;
/** Log calls (the Node logger). */
export const LOGS: boolean = true;
/** The extension points: extraCommands and birthAcknowledged (OTA). */
export const EXTRAS: boolean = true;
/** I2C sensors (BME280). */
export const I2C: boolean = true;
/** 1-Wire sensors (DS18B20). */
export const ONEWIRE: boolean = true;
/** Numeric actuators: PWM (0-255) and servos (0-180°). */
export const PWM: boolean = true;
export const SERVO: boolean = true;
/** Watched digital inputs (buttons, motion). */
export const WATCH: boolean = true;
/** Sensor reads that answer after the read returns: Firmata over a serial line, and on a board
 *  the DS18B20 (750 ms of conversion). Without them the sampler needs no bookkeeping of
 *  reads outstanding. */
export const ASYNC_READS: boolean = true;
/** The plan carries each sensor's driver factory (`driver`): the bundle then needs no table of
 *  drivers by part name, nor the part names. Node looks drivers up by name. */
export const PLAN_DRIVERS: boolean = false;
/** On/off readings (a channel with `flag`: buttons, motion), reported on every change and
 *  sent as true/false. */
export const FLAGS: boolean = true;
