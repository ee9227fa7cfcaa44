/**
 * Memory and CPU of another process, read from Linux's /proc: `status` (VmRSS) and `stat`
 * (utime and stime, fields 14 and 15, in clock ticks; proc(5)).
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';

/** Clock ticks per second (USER_HZ); 100 on every common Linux, asked of getconf to be sure. */
function clockTicks(): number {
  try {
    const value = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim());
    return Number.isInteger(value) && value > 0 ? value : 100;
  } catch (error) {
    console.warn(`getconf CLK_TCK failed (${(error as Error).message}); assuming 100`);
    return 100;
  }
}

const TICKS = clockTicks();

export function rssBytes(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const match = /^VmRSS:\s+(\d+)\s+kB/m.exec(status);
  if (!match) throw new Error(`/proc/${pid}/status has no VmRSS line`);
  return Number(match[1]) * 1024;
}

/** User plus system CPU time the process has used, in seconds. */
export function cpuSeconds(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  // The command name (field 2) is in parentheses and may hold spaces: split after its ')'.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  // fields[0] is field 3 (state), so utime (14) and stime (15) are fields[11] and fields[12].
  return (Number(fields[11]) + Number(fields[12])) / TICKS;
}

export interface ProcWindow {
  /** Highest RSS seen while sampling. */
  peakRssBytes: number;
  /** RSS at the end of the window. */
  endRssBytes: number;
  cpuSeconds: number;
  /** CPU time over wall time: 100 is one core busy for the whole window. */
  cpuPercent: number;
}

/** Samples a process from start() to stop(): RSS every 200 ms, CPU time at both ends. */
export class ProcSampler {
  private timer: NodeJS.Timeout | undefined;
  private peak = 0;
  private cpu0 = 0;
  private t0 = 0;

  constructor(private readonly pid: number) {}

  start(): void {
    this.peak = rssBytes(this.pid);
    this.cpu0 = cpuSeconds(this.pid);
    this.t0 = performance.now();
    this.timer = setInterval(() => {
      this.peak = Math.max(this.peak, rssBytes(this.pid));
    }, 200);
  }

  /** Stops sampling without a reading (on the error path). */
  dispose(): void {
    clearInterval(this.timer);
  }

  stop(): ProcWindow {
    clearInterval(this.timer);
    const end = rssBytes(this.pid);
    const cpu = cpuSeconds(this.pid) - this.cpu0;
    const wall = (performance.now() - this.t0) / 1000;
    return {
      peakRssBytes: Math.max(this.peak, end),
      endRssBytes: end,
      cpuSeconds: cpu,
      cpuPercent: wall > 0 ? (cpu / wall) * 100 : 0,
    };
  }
}
