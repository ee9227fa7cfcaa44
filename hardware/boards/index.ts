/**
 * Board profiles: what each supported board is, which runtime target runs on it, and what each
 * of its pins can do. The data lives in profiles/<id>.json; this module loads and validates it
 * once, on first use, and answers questions about it.
 */
import type { BoardProfile, PinCapability, PinProfile } from '../config/types.js';
import { type BoardRegistry, loadBoardRegistry } from './registry.js';

export { loadBoardRegistry, PROFILES_DIR, validateBoardProfile } from './registry.js';

// The profiles are immutable data shipped with the code: reading them once is a cache, not state.
let registry: BoardRegistry | undefined;
function boards(): BoardRegistry {
  registry ??= loadBoardRegistry();
  return registry;
}

export function listBoards(): BoardProfile[] {
  return [...boards().boards.values()];
}

export function knownBoardIds(): string[] {
  return [...boards().boards.keys()];
}

export function hasBoard(id: string): boolean {
  return boards().boards.has(id);
}

/** The profile of board `id`; throws listing the known ids. */
export function getBoard(id: string): BoardProfile {
  const board = boards().boards.get(id);
  if (!board) {
    throw new Error(`unknown board ${JSON.stringify(id)} (known: ${knownBoardIds().join(', ')})`);
  }
  return board;
}

/** The pin called `name` (its name or an alias, any case), or undefined. */
export function findPin(board: BoardProfile, name: string): PinProfile | undefined {
  const index = boards().pinIndex.get(board.id);
  if (index) return index.get(name.trim().toLowerCase());
  const key = name.trim().toLowerCase();
  return board.pins.find(
    (p) => p.name.toLowerCase() === key || (p.aliases ?? []).some((a) => a.toLowerCase() === key),
  );
}

export function pinsWith(board: BoardProfile, capability: PinCapability): PinProfile[] {
  return board.pins.filter((p) => p.capabilities.includes(capability));
}

/** Pin names for a message, runs of numbers shortened: "3, 5, 6, 9-11", "A0-A5". */
export function describePinNames(pins: PinProfile[]): string {
  if (pins.length === 0) return 'none';
  const groups: string[] = [];
  let run: { prefix: string; from: number; to: number } | undefined;
  const flush = () => {
    if (!run) return;
    groups.push(
      run.from === run.to
        ? `${run.prefix}${run.from}`
        : run.to === run.from + 1
          ? `${run.prefix}${run.from}, ${run.prefix}${run.to}`
          : `${run.prefix}${run.from}-${run.prefix}${run.to}`,
    );
    run = undefined;
  };
  for (const pin of [...pins].sort(byName)) {
    const m = /^(\D*)(\d+)$/.exec(pin.name);
    if (!m) {
      flush();
      groups.push(pin.name);
      continue;
    }
    const prefix = m[1] ?? '';
    const n = Number(m[2]);
    if (run && run.prefix === prefix && n === run.to + 1) run.to = n;
    else {
      flush();
      run = { prefix, from: n, to: n };
    }
  }
  flush();
  return groups.join(', ');
}

/** Natural order: A2 before A10, letters before numbers' groups. */
function byName(a: PinProfile, b: PinProfile): number {
  return a.name.localeCompare(b.name, 'en', { numeric: true });
}
