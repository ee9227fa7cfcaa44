/**
 * Reads a V8 CPU profile (`node --cpu-prof`, a .cpuprofile JSON file) and ranks functions by
 * self time, with file:line, so a missed target comes with where the gateway spends its time.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { REPO_ROOT } from '../lib/paths.js';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
}

interface CpuProfile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

export interface HotSpot {
  /** `name (file:line)`; line is 1-based, file relative to the repository when inside it. */
  where: string;
  selfMs: number;
  percent: number;
}

function place(url: string, line: number): string {
  if (!url) return '(native)';
  const path = url.startsWith('file://') ? fileURLToPath(url) : url;
  const shown = path.startsWith(REPO_ROOT) ? relative(REPO_ROOT, path) : path;
  return `${shown}:${line + 1}`;
}

/** The top `limit` functions by self time in every profile found in `dir`. */
export function hotSpots(dir: string, limit = 15): { totalMs: number; top: HotSpot[] } {
  const self = new Map<string, number>();
  let totalMs = 0;
  for (const file of readdirSync(dir).filter((f) => f.endsWith('.cpuprofile'))) {
    const profile = JSON.parse(readFileSync(join(dir, file), 'utf8')) as CpuProfile;
    const byId = new Map(profile.nodes.map((n) => [n.id, n]));
    profile.samples.forEach((id, i) => {
      const node = byId.get(id);
      const ms = (profile.timeDeltas[i] ?? 0) / 1000;
      if (!node) return;
      const { functionName, url, lineNumber } = node.callFrame;
      // Idle time is the event loop waiting, not work: left out of the ranking and the total.
      if (functionName === '(idle)') return;
      totalMs += ms;
      const key = `${functionName || '(anonymous)'} (${place(url, lineNumber)})`;
      self.set(key, (self.get(key) ?? 0) + ms);
    });
  }
  const top = [...self]
    .sort((a, b) => b[1] - a[1])
    .slice(0, limit)
    .map(([where, ms]) => ({
      where,
      selfMs: Math.round(ms),
      percent: totalMs > 0 ? Math.round((ms / totalMs) * 1000) / 10 : 0,
    }));
  return { totalMs: Math.round(totalMs), top };
}
