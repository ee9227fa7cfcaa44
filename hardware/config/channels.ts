/**
 * What a device reports: one reading channel per sensor quantity. A single-quantity sensor's
 * channel is its id; a multi-quantity part's are `<id>_<quantity>` (BME280 `env` →
 * env_temperature, env_humidity, env_pressure). The firmware's birth message lists them.
 */
import type { ActuatorInfo, SensorInfo } from '../../contract/payloads.js';
import { getActuatorPart, getSensorPart } from '../catalog/index.js';
import type { DeviceConfig, Quantity, SensorConfig } from './types.js';

export interface ReadingChannel {
  /** The key in telemetry `readings`. */
  id: string;
  /** The quantity, as the birth message's `kind`. */
  kind: Quantity;
  unit: string;
  sensorId: string;
  quantity: Quantity;
}

export function sensorChannels(sensor: SensorConfig): ReadingChannel[] {
  const { quantities } = getSensorPart(sensor.part);
  return quantities.map((q) => ({
    id: quantities.length === 1 ? sensor.id : `${sensor.id}_${q.quantity}`,
    kind: q.quantity,
    unit: q.unit,
    sensorId: sensor.id,
    quantity: q.quantity,
  }));
}

/** Every channel the device reports, in config order. Throws on an unknown part (validate first). */
export function readingChannels(config: DeviceConfig): ReadingChannel[] {
  return config.sensors.flatMap(sensorChannels);
}

/** The sensors and actuators of the birth message. */
export function birthParts(config: DeviceConfig): {
  sensors: SensorInfo[];
  actuators: ActuatorInfo[];
} {
  return {
    sensors: readingChannels(config).map((c) => ({ id: c.id, kind: c.kind, unit: c.unit })),
    actuators: config.actuators.map((a) => ({ id: a.id, kind: getActuatorPart(a.part).kind })),
  };
}
