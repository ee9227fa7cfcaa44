/**
 * Resolves a device config into the RuntimePlan the core runs: defaults filled in, reading
 * channels named, actuator ranges attached. Runs on Node (the node target and the Espruino
 * build); the bundle receives the result as data.
 */
import { channelId, type SensorInfo } from '../../contract/payloads.js';
import type { BoardProfile, DeviceConfig } from '../../hardware/config/types.js';
import { DEFAULT_BACKOFF } from './backoff.js';
import type { PartFacts } from './part-facts.js';
import type { ActuatorPlan, ChannelPlan, RuntimePlan, SensorPlan } from './types.js';

export interface PlanOptions {
  config: DeviceConfig;
  board: BoardProfile;
  parts: PartFacts;
  /** Firmware identifier for the birth message: "fullstack/<version>". */
  fw: string;
  /** Overrides the config's id (running many simulated copies of one config). */
  id: string | null;
  sysIntervalMs: number | null;
}

export const PLAN_DEFAULTS = {
  bufferSize: 500,
  window: 4,
  keepaliveS: 30,
  sysIntervalMs: 60000,
  minReportMs: 1000,
  maxReportMs: 60000,
};

export function buildPlan(options: PlanOptions): RuntimePlan {
  const config = options.config;
  const reporting = config.reporting || {};
  const sensors: SensorPlan[] = [];
  const birthSensors: SensorInfo[] = [];
  for (const sensor of config.sensors) {
    const facts = options.parts.sensors[sensor.part];
    if (facts === undefined) {
      throw new Error(
        `sensors.${sensor.id}.part: "${sensor.part}" has no runtime driver (known: ${Object.keys(options.parts.sensors).join(', ')})`,
      );
    }
    const channels = facts.channels.map((c) => {
      const id = channelId(sensor.id, c.suffix);
      birthSensors.push({ id, kind: c.kind, unit: c.unit });
      const channel: ChannelPlan = {
        id,
        deadband: sensor.deadband === undefined ? c.deadband : sensor.deadband,
        decimals: c.decimals,
      };
      // The catalog's on/off quantities (button, motion) have no unit.
      if (c.unit === '') channel.flag = true;
      return channel;
    });
    const plan: SensorPlan = {
      id: sensor.id,
      part: sensor.part,
      channels,
      sampleMs: sensor.sampleMs ?? facts.sampleMs,
      minReportMs: sensor.minReportMs ?? reporting.minReportMs ?? PLAN_DEFAULTS.minReportMs,
      maxReportMs: sensor.maxReportMs ?? reporting.maxReportMs ?? PLAN_DEFAULTS.maxReportMs,
    };
    if (sensor.pin !== undefined) plan.pin = sensor.pin;
    // An I2C part's address: the config's, else the catalog's default, so that the plan says
    // which sensors are on the bus and the driver carries no default.
    const address = sensor.address ?? facts.address;
    if (address !== undefined) plan.address = address;
    // The config's parameters over the catalog's defaults: the drivers read them as they are.
    // Object.assign, not spread: every core file passes the Espruino syntax check.
    const params = Object.assign({}, facts.params, sensor.params);
    if (Object.keys(params).length > 0) plan.params = params;
    sensors.push(plan);
  }
  const actuators: ActuatorPlan[] = config.actuators.map((actuator) => {
    const facts = options.parts.actuators[actuator.part];
    if (facts === undefined) {
      throw new Error(
        `actuators.${actuator.id}.part: "${actuator.part}" is not an actuator (known: ${Object.keys(options.parts.actuators).join(', ')})`,
      );
    }
    const on = facts.valueType === 'boolean';
    const initial = actuator.initial ?? (on ? false : facts.min);
    const plan: ActuatorPlan = {
      id: actuator.id,
      part: actuator.part,
      pin: actuator.pin,
      initial: on ? Boolean(initial) : Number(initial),
    };
    if (!on) {
      plan.min = facts.min;
      plan.max = facts.max;
      if (facts.integer) plan.integer = true;
    }
    return plan;
  });
  const birth = JSON.stringify({
    fw: options.fw,
    board: options.board.id,
    sensors: birthSensors,
    actuators: actuators.map((a) => ({ id: a.id, kind: a.part })),
  }).slice(1, -1);
  return {
    id: options.id ?? config.id,
    board: options.board.id,
    fw: options.fw,
    vref: options.board.adcVolts ?? options.board.logicVolts,
    sensors,
    actuators,
    // A whole number of messages, at least one (the config's schema says so too): the outbox
    // takes it as it is.
    bufferSize: Math.max(1, Math.floor(config.bufferSize ?? PLAN_DEFAULTS.bufferSize)),
    window: PLAN_DEFAULTS.window,
    // biome-ignore lint/complexity/useOptionalChain: the core is Espruino-safe, and Espruino has no ?.
    keepaliveS: (config.broker && config.broker.keepaliveS) || PLAN_DEFAULTS.keepaliveS,
    sysIntervalMs: options.sysIntervalMs ?? PLAN_DEFAULTS.sysIntervalMs,
    backoff: DEFAULT_BACKOFF,
    birth: () => birth,
  };
}

/**
 * The birth's static members in catalog form (contract PartsBirth): each part id and its
 * catalog part, which the gateway expands from its catalog into the readings' kinds and units.
 * What an Espruino bundle sends (firmware/espruino/build.ts): about a quarter of the text.
 */
export function partsBirthText(plan: RuntimePlan): string {
  const parts: Record<string, string> = {};
  for (const sensor of plan.sensors) parts[sensor.id] = sensor.part;
  for (const actuator of plan.actuators) parts[actuator.id] = actuator.part;
  return JSON.stringify({ fw: plan.fw, board: plan.board, parts }).slice(1, -1);
}

/** The birth message's static members as an object (for tests and tools). */
export function birthParts(plan: RuntimePlan): {
  fw: string;
  board: string;
  sensors: SensorInfo[];
  actuators: { id: string; kind: string }[];
} {
  return JSON.parse(`{${plan.birth()}}`);
}
