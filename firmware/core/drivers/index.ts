/** Every sensor driver by catalog part name (the node target uses all of them). */
import { lm35, ntc, photoresistor, tmp36 } from './analog.js';
import { bme280 } from './bme280.js';
import { button, pir } from './digital.js';
import { ds18b20 } from './ds18b20.js';
import type { DriverTable } from './types.js';

export const ALL_DRIVERS: DriverTable = {
  tmp36,
  lm35,
  ntc,
  photoresistor,
  button,
  pir,
  ds18b20,
  bme280,
};
export type { DriverFactory, DriverTable, SensorDriver } from './types.js';
