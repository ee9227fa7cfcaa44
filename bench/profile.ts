/**
 * Reads V8 CPU profiles (`node --cpu-prof`, .cpuprofile JSON) and ranks functions and files by
 * self time. Places in our compiled code are mapped back to the TypeScript source through the
 * build's source maps (node:module SourceMap), so a missed target comes with file:line.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { SourceMap } from 'node:module';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { REPO_ROOT } from '../lib/paths.js';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number; columnNumber: number };
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

export interface ProfileSummary {
  /** Sampled time outside the idle loop, in ms. */
  totalMs: number;
  /** Functions by self time. */
  top: HotSpot[];
  /** Files (or native / V8 parts) by self time. */
  files: HotSpot[];
}

/** Source maps of dist/ files, loaded once each (null: the file has none). */
class SourceMaps {
  private readonly cache = new Map<string, SourceMap | null>();

  /** The original `file:line` of a 0-based position in a compiled file, if it has a map. */
  original(path: string, line: number, column: number): { file: string; line: number } {
    let map = this.cache.get(path);
    if (map === undefined) {
      const mapPath = `${path}.map`;
      map = existsSync(mapPath) ? new SourceMap(JSON.parse(readFileSync(mapPath, 'utf8'))) : null;
      this.cache.set(path, map);
    }
    const entry = map?.findEntry(line, column) as
      | { originalSource?: string; originalLine?: number }
      | undefined;
    if (!entry?.originalSource || entry.originalLine === undefined) return { file: path, line };
    const source = entry.originalSource.startsWith('file://')
      ? fileURLToPath(entry.originalSource)
      : resolve(dirname(path), entry.originalSource);
    return { file: source, line: entry.originalLine };
  }
}

function shown(path: string): string {
  return path.startsWith(REPO_ROOT) ? relative(REPO_ROOT, path) : path;
}

function rank(totals: Map<string, number>, totalMs: number, limit: number): HotSpot[] {
  return [...totals]
    .sort((a, b) => b[1] - a[1])
    .slice(0, limit)
    .map(([where, ms]) => ({
      where,
      selfMs: Math.round(ms),
      percent: totalMs > 0 ? Math.round((ms / totalMs) * 1000) / 10 : 0,
    }));
}

/** The top functions and files by self time over every profile found in `dir`. */
export function hotSpots(dir: string, limit = 15): ProfileSummary {
  const maps = new SourceMaps();
  const byFunction = new Map<string, number>();
  const byFile = new Map<string, number>();
  let totalMs = 0;
  for (const file of readdirSync(dir).filter((f) => f.endsWith('.cpuprofile'))) {
    const profile = JSON.parse(readFileSync(join(dir, file), 'utf8')) as CpuProfile;
    const places = new Map<number, { fn: string; file: string }>();
    for (const node of profile.nodes) {
      const { functionName, url, lineNumber, columnNumber } = node.callFrame;
      const name = functionName || '(anonymous)';
      if (!url) {
        places.set(node.id, { fn: `${name} (native)`, file: name });
        continue;
      }
      const path = url.startsWith('file://') ? fileURLToPath(url) : url;
      const at = maps.original(path, lineNumber, columnNumber);
      places.set(node.id, {
        fn: `${name} (${shown(at.file)}:${at.line + 1})`,
        file: shown(at.file),
      });
    }
    profile.samples.forEach((id, i) => {
      const place = places.get(id);
      if (!place || place.file === '(idle)') return; // the event loop waiting is not work
      const ms = (profile.timeDeltas[i] ?? 0) / 1000;
      totalMs += ms;
      byFunction.set(place.fn, (byFunction.get(place.fn) ?? 0) + ms);
      byFile.set(place.file, (byFile.get(place.file) ?? 0) + ms);
    });
  }
  return {
    totalMs: Math.round(totalMs),
    top: rank(byFunction, totalMs, limit),
    files: rank(byFile, totalMs, limit),
  };
}
