/** Wi-Fi and broker settings the board needs, and a sensor's intervals. */
import type { AnySensorPart } from '../catalog/types.js';
import type { CheckContext as Ctx } from './check-context.js';
import { sensorTiming } from './defaults.js';
import type { SensorConfig } from './types.js';

export function checkTiming(
  ctx: Ctx,
  sensor: SensorConfig,
  part: AnySensorPart,
  path: string,
): void {
  const t = sensorTiming(ctx.config, sensor, part);
  if (t.sampleMs < part.minSampleMs) {
    ctx.problems.push({
      path: `${path}.sampleMs`,
      message: `is ${t.sampleMs}: ${part.kind} takes up to ${part.minSampleMs} ms per reading (allowed: ${part.minSampleMs} or more)`,
    });
  }
  // A clash that comes from `reporting` alone is reported once, there.
  const ownBounds = sensor.minReportMs !== undefined || sensor.maxReportMs !== undefined;
  if (ownBounds && t.minReportMs > t.maxReportMs) {
    ctx.problems.push({
      path: `${path}.${sensor.minReportMs !== undefined ? 'minReportMs' : 'maxReportMs'}`,
      message: `makes minReportMs ${t.minReportMs} more than maxReportMs ${t.maxReportMs} (allowed: min ≤ max)`,
    });
  }
  if (t.sampleMs > t.maxReportMs) {
    ctx.problems.push({
      path: `${path}.sampleMs`,
      message: `is ${t.sampleMs}, longer than maxReportMs ${t.maxReportMs}: it cannot report more often than it samples (allowed: sampleMs ≤ maxReportMs)`,
    });
  }
}

export function checkNetwork(ctx: Ctx): void {
  const { board, config } = ctx;
  if (!board) return;
  if (board.wifi && !config.network?.wifi) {
    ctx.problems.push({
      path: 'network.wifi',
      message: `is missing: ${board.name} joins Wi-Fi itself, so the config needs network.wifi {"ssid", "password"}`,
    });
  }
  const password = config.network?.wifi?.password;
  if (password !== undefined && password.length > 0 && password.length < 8) {
    ctx.problems.push({
      path: 'network.wifi.password',
      message: `has ${password.length} characters: a WPA2 passphrase has 8 to 63 (or leave it empty for an open network)`,
    });
  }
  if (board.target === 'espruino' && !config.broker) {
    ctx.problems.push({
      path: 'broker',
      message: `is missing: ${board.name} runs the espruino target, which connects to MQTT itself (add broker {"url": "mqtt://host:1883"})`,
    });
  }
}
