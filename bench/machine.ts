/** The machine a run was measured on, for the record next to its figures. */
import { readFileSync } from 'node:fs';
import { availableParallelism, loadavg, release, totalmem } from 'node:os';

export interface Machine {
  cpu: string;
  cores: number;
  memoryGiB: number;
  kernel: string;
  node: string;
  date: string;
  /** 1-minute load average as the run began: other work on a shared machine shows here. */
  loadAverage: number;
}

function cpuModel(): string {
  try {
    const info = readFileSync('/proc/cpuinfo', 'utf8');
    return (
      /^model name\s*:\s*(.+)$/m.exec(info)?.[1]?.trim() ??
      'unknown (no model name in /proc/cpuinfo)'
    );
  } catch (error) {
    return `unknown (${(error as Error).message})`;
  }
}

export function describeMachine(now = new Date()): Machine {
  return {
    cpu: cpuModel(),
    cores: availableParallelism(),
    memoryGiB: Math.round((totalmem() / 2 ** 30) * 10) / 10,
    kernel: `Linux ${release()}`,
    node: process.version,
    date: now.toISOString(),
    loadAverage: Math.round((loadavg()[0] ?? 0) * 100) / 100,
  };
}
