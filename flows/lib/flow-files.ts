/**
 * Flows as code. The shipped flows live in git as flows/*.json (one file per tab, plus the
 * global config nodes they use); Node-RED runs from one flow file in the user dir, which the
 * editor rewrites on every deploy. At start we merge the two so that:
 *  - a first start seeds the user's flow file with every shipped unit;
 *  - a shipped unit the user never touched is replaced by the repository's current version
 *    (a `git pull` brings new flows in);
 *  - a unit the user edited in the editor is kept as the user left it (and we say so);
 *  - a unit the user deleted stays deleted;
 *  - a unit no longer shipped is removed, unless the user edited it;
 *  - the user's own tabs are never touched.
 * A "unit" is a tab with every node on it, or one global (config) node. We know what we last
 * shipped from a manifest of unit hashes kept next to the user's flow file.
 */
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export interface FlowNode {
  id: string;
  type: string;
  z?: string;
  [key: string]: unknown;
}

export type UnitOutcome =
  | 'added'
  | 'updated'
  | 'unchanged'
  | 'kept-user-edit'
  | 'kept-deleted'
  | 'removed';

export interface MergeReport {
  flows: FlowNode[];
  outcomes: Record<string, UnitOutcome>;
  manifest: Record<string, string>;
}

/** Reads and concatenates every flows/*.json (sorted by name), refusing duplicate node ids. */
export function readShippedFlows(dir: string): FlowNode[] {
  const files = readdirSync(dir)
    .filter((name) => name.endsWith('.json') && !name.startsWith('package'))
    .sort();
  const all: FlowNode[] = [];
  const seen = new Map<string, string>();
  for (const file of files) {
    const nodes = parseFlowJson(readFileSync(join(dir, file), 'utf8'), join(dir, file));
    for (const node of nodes) {
      const other = seen.get(node.id);
      if (other) throw new Error(`node id "${node.id}" is in both ${other} and ${file}`);
      seen.set(node.id, file);
      all.push(node);
    }
  }
  return all;
}

export function parseFlowJson(text: string, where: string): FlowNode[] {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    throw new Error(`${where}: not valid JSON (${(error as Error).message})`);
  }
  if (!Array.isArray(parsed)) throw new Error(`${where}: a flow file must be a JSON array`);
  parsed.forEach((node, index) => {
    if (typeof node !== 'object' || node === null || typeof node.id !== 'string') {
      throw new Error(`${where}: element ${index} has no string "id"`);
    }
    if (typeof node.type !== 'string') {
      throw new Error(`${where}: node "${node.id}" has no string "type"`);
    }
  });
  return parsed as FlowNode[];
}

/** Groups nodes into units: tab id → the tab and its nodes; a global node → itself. */
export function unitsOf(nodes: readonly FlowNode[]): Map<string, FlowNode[]> {
  const units = new Map<string, FlowNode[]>();
  const tabs = new Set(
    nodes.filter((n) => n.type === 'tab' || n.type === 'subflow').map((n) => n.id),
  );
  for (const node of nodes) {
    const key = node.z && tabs.has(node.z) ? node.z : node.id;
    const unit = units.get(key) ?? [];
    unit.push(node);
    units.set(key, unit);
  }
  return units;
}

/** A hash of a unit that ignores node order and editor positions' key order. */
export function hashUnit(unit: readonly FlowNode[]): string {
  const canonical = [...unit]
    .sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0))
    .map((node) => stableStringify(node));
  return createHash('sha256').update(canonical.join('\n')).digest('hex').slice(0, 16);
}

function stableStringify(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(stableStringify).join(',')}]`;
  if (value && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>).sort(([a], [b]) =>
      a < b ? -1 : a > b ? 1 : 0,
    );
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${stableStringify(v)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

/**
 * Merges the shipped flows into the user's. `previous` is the manifest written at the last
 * start (unit id → hash of what was shipped then); absent on a first start.
 */
export function mergeFlows(
  shipped: readonly FlowNode[],
  user: readonly FlowNode[] | undefined,
  previous: Record<string, string> | undefined,
): MergeReport {
  const shippedUnits = unitsOf(shipped);
  const manifest: Record<string, string> = {};
  const outcomes: Record<string, UnitOutcome> = {};
  for (const [id, unit] of shippedUnits) manifest[id] = hashUnit(unit);
  if (!user) {
    for (const id of shippedUnits.keys()) outcomes[id] = 'added';
    return { flows: [...shipped], outcomes, manifest };
  }
  const userUnits = unitsOf(user);
  const result = new Map<string, FlowNode[]>(userUnits);
  for (const [id, unit] of shippedUnits) {
    const mine = userUnits.get(id);
    const lastShipped = previous?.[id];
    if (!mine) {
      if (lastShipped) outcomes[id] = 'kept-deleted';
      else {
        result.set(id, unit);
        outcomes[id] = 'added';
      }
      continue;
    }
    const mineHash = hashUnit(mine);
    if (mineHash === manifest[id]) outcomes[id] = 'unchanged';
    else if (lastShipped === undefined || mineHash === lastShipped) {
      result.set(id, unit);
      outcomes[id] = 'updated';
    } else outcomes[id] = 'kept-user-edit';
  }
  for (const [id, hash] of Object.entries(previous ?? {})) {
    if (shippedUnits.has(id)) continue;
    const mine = userUnits.get(id);
    if (mine && hashUnit(mine) === hash) {
      result.delete(id);
      outcomes[id] = 'removed';
    }
  }
  return { flows: [...result.values()].flat(), outcomes, manifest };
}

export interface SyncPaths {
  shippedDir: string;
  flowFile: string;
  manifestFile: string;
}

/** Reads both sides from disk, merges, writes the user's flow file and the manifest. */
export function syncFlowFiles(paths: SyncPaths): MergeReport {
  const shipped = readShippedFlows(paths.shippedDir);
  const user = existsSync(paths.flowFile)
    ? parseFlowJson(readFileSync(paths.flowFile, 'utf8'), paths.flowFile)
    : undefined;
  const previous = existsSync(paths.manifestFile)
    ? (JSON.parse(readFileSync(paths.manifestFile, 'utf8')) as Record<string, string>)
    : undefined;
  const report = mergeFlows(shipped, user, previous);
  writeFileSync(paths.flowFile, `${JSON.stringify(report.flows, null, 2)}\n`);
  writeFileSync(paths.manifestFile, `${JSON.stringify(report.manifest, null, 2)}\n`);
  return report;
}
