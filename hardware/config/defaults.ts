/**
 * The one source of defaults for a sensor's timing: its own setting, else the device's
 * `reporting`, else these. Boolean parts (button, motion) report every change by default.
 */
import type { AnySensorPart } from '../catalog/types.js';
import type { DeviceConfig, SensorConfig } from './types.js';

export const DEFAULT_MIN_REPORT_MS = 1000;
export const DEFAULT_MAX_REPORT_MS = 60_000;
export const DEFAULT_BUFFER_SIZE = 500;

export interface SensorTiming {
  sampleMs: number;
  minReportMs: number;
  maxReportMs: number;
  deadband: number;
}

export function sensorTiming(
  config: DeviceConfig,
  sensor: SensorConfig,
  part: AnySensorPart,
): SensorTiming {
  const boolean = part.quantities.every((q) => q.boolean);
  return {
    sampleMs: sensor.sampleMs ?? part.defaultSampleMs,
    minReportMs:
      sensor.minReportMs ??
      (boolean ? 0 : (config.reporting?.minReportMs ?? DEFAULT_MIN_REPORT_MS)),
    maxReportMs: sensor.maxReportMs ?? config.reporting?.maxReportMs ?? DEFAULT_MAX_REPORT_MS,
    deadband: sensor.deadband ?? 0,
  };
}
