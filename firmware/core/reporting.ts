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

/** A sensor's report intervals (its plan). */
export interface ReportIntervals {
  minReportMs: number;
  maxReportMs: number;
}

export function shouldReport(
  memory: ChannelMemory,
  value: ReadingValue,
  now: number,
  intervals: ReportIntervals,
  deadband: number,
): boolean {
  if (memory.last === null) return true;
  const elapsed = now - memory.lastAt;
  if (elapsed >= intervals.maxReportMs) return true;
  if (typeof value === 'boolean' || typeof memory.last === 'boolean') return value !== memory.last;
  if (elapsed < intervals.minReportMs) return false;
  // A deadband of 0 reports every change.
  return Math.abs(value - memory.last) > deadband;
}
