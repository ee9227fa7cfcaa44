/**
 * When a sampled value becomes a report: the pure decision, per channel.
 *
 * - the first sample of a boot is always reported;
 * - at least every maxReportMs, changed or not (a heartbeat for the value);
 * - numbers: when they moved by more than the deadband since the last report, but never more
 *   often than minReportMs (a change inside that window is reported by the first sample after
 *   it, if it still stands);
 * - on/off readings (button, motion) are events: every change is reported at once.
 *
 * Values are numbers here, on/off ones as 1 and 0, so that the sampler can keep the last
 * report of every channel in a typed array (NaN: none yet) rather than in objects.
 */
import { isFiniteNumber } from './drivers/types.js';
import { FLAGS } from './features.js';
import type { ChannelPlan } from './types.js';

/** A sensor's report intervals (its plan). */
export interface ReportIntervals {
  minReportMs: number;
  maxReportMs: number;
}

export function shouldReport(
  last: number,
  lastAt: number,
  value: number,
  now: number,
  intervals: ReportIntervals,
  channel: ChannelPlan,
): boolean {
  // NaN: nothing reported yet.
  if (!isFiniteNumber(last)) return true;
  // `now - lastAt` written out twice: as a local, the minifier's inlining costs more.
  if (now - lastAt >= intervals.maxReportMs) return true;
  if (FLAGS && channel.flag) return value !== last;
  // A deadband of 0 reports every change.
  return now - lastAt >= intervals.minReportMs && Math.abs(value - last) > channel.deadband;
}
