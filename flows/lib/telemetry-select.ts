/** Turns forwarded telemetry into Node-RED messages, keeping only the devices and sensors asked for. */
import type { ForwardedTelemetry, ReadingValue } from '../../contract/index.js';

export type TelemetryMode = 'reading' | 'message';

export interface TelemetryFilter {
  devices?: ReadonlySet<string>;
  sensors?: ReadonlySet<string>;
  mode: TelemetryMode;
  /** Include readings a device replayed from its buffer (default: live only). */
  historical: boolean;
}

export interface ReadingMessage {
  topic: string;
  payload: ReadingValue;
  device: string;
  sensor: string;
  ts: number;
  gateway: string;
  historical: boolean;
}

export interface TelemetryMessage {
  topic: string;
  payload: ForwardedTelemetry;
  device: string;
  gateway: string;
}

export function selectTelemetry(
  event: { gateway: string; items: readonly ForwardedTelemetry[] },
  filter: TelemetryFilter,
): Array<ReadingMessage | TelemetryMessage> {
  const out: Array<ReadingMessage | TelemetryMessage> = [];
  for (const item of event.items) {
    if (filter.devices && !filter.devices.has(item.device)) continue;
    if (item.historical && !filter.historical) continue;
    const entries = Object.entries(item.readings).filter(
      ([sensor]) => !filter.sensors || filter.sensors.has(sensor),
    );
    if (entries.length === 0) continue;
    if (filter.mode === 'message') {
      const readings = Object.fromEntries(entries);
      out.push({
        topic: item.device,
        payload: { ...item, readings },
        device: item.device,
        gateway: event.gateway,
      });
      continue;
    }
    for (const [sensor, value] of entries) {
      out.push({
        topic: `${item.device}/${sensor}`,
        payload: value,
        device: item.device,
        sensor,
        ts: item.ts,
        gateway: event.gateway,
        historical: item.historical === true,
      });
    }
  }
  return out;
}
