/**
 * What the runtime needs to know about each catalog part: its telemetry channels, default
 * sampling and deadband for sensors; value type and range for actuators. Built from the
 * hardware catalog on Node (firmware/node/catalog-facts.ts); the core never imports the catalog,
 * whose code is not Espruino-safe.
 */

export interface SensorPartFacts {
  /** One entry per reading; `suffix` null means the reading is named after the sensor. */
  channels: {
    suffix: string | null;
    kind: string;
    unit: string;
    deadband: number;
    decimals: number;
  }[];
  sampleMs: number;
  /** The defaults of the part's numeric parameters (an NTC's beta, an LDR's gamma). */
  params: Record<string, number>;
  /** An I2C part's address when the config names none (the catalog's first: a BME280's
   *  0x76); absent for pin parts. */
  address?: number;
}

export interface ActuatorPartFacts {
  valueType: 'boolean' | 'number';
  min: number;
  max: number;
  integer: boolean;
}

export interface PartFacts {
  sensors: Record<string, SensorPartFacts>;
  actuators: Record<string, ActuatorPartFacts>;
}
