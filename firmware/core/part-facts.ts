/**
 * What the runtime needs to know about each catalog part: its telemetry channels, default
 * sampling and deadband for sensors; value type and range for actuators.
 */

export interface SensorPartFacts {
  /** One entry per reading; `suffix` null means the reading is named after the sensor. */
  channels: { suffix: string | null; kind: string; unit: string; deadband: number }[];
  sampleMs: number;
}

export interface ActuatorPartFacts {
  valueType: 'boolean' | 'number';
  min: number;
  max: number;
}

export interface PartFacts {
  sensors: Record<string, SensorPartFacts>;
  actuators: Record<string, ActuatorPartFacts>;
}

const temperature = (deadband: number) => [
  { suffix: null, kind: 'temperature', unit: '°C', deadband },
];
const flag = (kind: string) => [{ suffix: null, kind, unit: '', deadband: 0 }];

export const PART_FACTS: PartFacts = {
  sensors: {
    tmp36: { channels: temperature(0.2), sampleMs: 1000 },
    lm35: { channels: temperature(0.2), sampleMs: 1000 },
    ntc: { channels: temperature(0.2), sampleMs: 1000 },
    ds18b20: { channels: temperature(0.1), sampleMs: 2000 },
    photoresistor: {
      channels: [{ suffix: null, kind: 'light', unit: '%', deadband: 2 }],
      sampleMs: 1000,
    },
    button: { channels: flag('button'), sampleMs: 100 },
    pir: { channels: flag('motion'), sampleMs: 200 },
    bme280: {
      channels: [
        { suffix: 'temperature', kind: 'temperature', unit: '°C', deadband: 0.2 },
        { suffix: 'humidity', kind: 'humidity', unit: '%', deadband: 1 },
        { suffix: 'pressure', kind: 'pressure', unit: 'hPa', deadband: 0.5 },
      ],
      sampleMs: 2000,
    },
  },
  actuators: {
    led: { valueType: 'boolean', min: 0, max: 1 },
    relay: { valueType: 'boolean', min: 0, max: 1 },
    pwm: { valueType: 'number', min: 0, max: 1 },
    servo: { valueType: 'number', min: 0, max: 180 },
  },
};
