/**
 * When a sampled value becomes a report: the pure decision, per channel.
 *
 * - the first sample of a boot is always reported;
 * - at least every maxReportMs, changed or not (a heartbeat for the value);
 * - numbers: when they moved by more than the deadband since the last report, but never more
 *   often than minReportMs (a change inside that window is reported by the first sample after
 *   it, if it still stands);
 * - booleans (button, motion) are events: every change is reported at once.
 */
import type { ReadingValue } from '../../contract/payloads.js';

export interface ChannelMemory {
  /** Last reported value, null before the first report. */
  last: ReadingValue | null;
  lastAt: number;
}

export interface ReportBounds {
  deadband: number;
  minReportMs: number;
  maxReportMs: number;
}

export function shouldReport(
  memory: ChannelMemory,
  value: ReadingValue,
  now: number,
  bounds: ReportBounds,
): boolean {
  if (memory.last === null) return true;
  const elapsed = now - memory.lastAt;
  if (elapsed >= bounds.maxReportMs) return true;
  if (typeof value === 'boolean' || typeof memory.last === 'boolean') return value !== memory.last;
  if (elapsed < bounds.minReportMs) return false;
  const moved = Math.abs(value - memory.last);
  return bounds.deadband > 0 ? moved > bounds.deadband : moved > 0;
}
