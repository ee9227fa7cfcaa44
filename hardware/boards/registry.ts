/**
 * Loads and validates the board profiles (profiles/*.json): the schema first, then the facts that
 * tie fields together (I2C pins exist and can do I2C, pin names and aliases are unique, the
 * layout names real pins). A broken profile is a bug in FullStack, so loading throws.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Ajv } from 'ajv';
import { ConfigError, type Problem, problemsFromAjv } from '../config/problems.js';
import type { BoardProfile, PinCapability, PinProfile } from '../config/types.js';
import { boardProfileSchema } from './schema.js';

export const PROFILES_DIR = fileURLToPath(new URL('./profiles/', import.meta.url));

const validateSchema = new Ajv({
  allErrors: true,
  strict: true,
  allowUnionTypes: true,
  verbose: true,
}).compile(boardProfileSchema);

/** Pins by every name they answer to, lower-cased. */
export type PinIndex = Map<string, PinProfile>;

export interface BoardRegistry {
  boards: Map<string, BoardProfile>;
  pinIndex: Map<string, PinIndex>;
}

export function validateBoardProfile(value: unknown): Problem[] {
  if (!validateSchema(value)) return problemsFromAjv(validateSchema.errors, value);
  const board = value as BoardProfile;
  const problems: Problem[] = [];
  const index = indexPins(board, problems);
  const need = (pinName: string, cap: PinCapability, path: string) => {
    const pin = index.get(pinName.toLowerCase());
    if (!pin)
      problems.push({ path, message: `names pin ${pinName}, which the board does not have` });
    else if (!pin.capabilities.includes(cap)) {
      problems.push({ path, message: `pin ${pinName} lacks the ${cap} capability` });
    }
  };
  board.i2c?.forEach((bus, i) => {
    need(bus.sda, 'i2c-sda', `i2c[${i}].sda`);
    need(bus.scl, 'i2c-scl', `i2c[${i}].scl`);
  });
  board.onewire?.forEach((pin, i) => {
    need(pin, 'onewire', `onewire[${i}]`);
  });
  const hasAnalog = board.pins.some((p) => p.capabilities.includes('analog-in'));
  if (hasAnalog && board.adcBits === undefined) {
    problems.push({ path: 'adcBits', message: 'is missing: the board has analog-in pins' });
  }
  if (board.target === 'espruino' && board.espruinoVars === undefined) {
    problems.push({
      path: 'espruinoVars',
      message: 'is missing: espruino boards state their memory',
    });
  }
  const powerNames = new Set(Object.values(board.power).flat());
  for (const side of ['left', 'right'] as const) {
    for (const [i, entry] of (board.layout?.[side] ?? []).entries()) {
      const known = index.has(entry.toLowerCase()) || powerNames.has(entry);
      // Upper-case labels (RESET, AREF, EN…) are drawn as inert header pins.
      if (!known && !/^[A-Z0-9_]+$/.test(entry)) {
        problems.push({
          path: `layout.${side}[${i}]`,
          message: `"${entry}" is neither a pin nor a label`,
        });
      }
    }
  }
  if (board.layout) {
    const drawn = new Set([...board.layout.left, ...board.layout.right]);
    board.pins.forEach((pin, i) => {
      if (!drawn.has(pin.name)) {
        problems.push({
          path: `pins[${i}]`,
          message: `pin ${pin.name} is missing from layout (wiring diagrams draw it)`,
        });
      }
    });
  }
  return problems;
}

function indexPins(board: BoardProfile, problems: Problem[]): PinIndex {
  const index: PinIndex = new Map();
  board.pins.forEach((pin, i) => {
    for (const n of [pin.name, ...(pin.aliases ?? [])]) {
      const key = n.toLowerCase();
      const other = index.get(key);
      if (other && other !== pin) {
        problems.push({
          path: `pins[${i}]`,
          message: `name ${n} is also used by pin ${other.name}`,
        });
      }
      index.set(key, pin);
    }
  });
  return index;
}

/** Reads every profile in `dir`; throws a ConfigError naming each broken file and field. */
export function loadBoardRegistry(dir: string = PROFILES_DIR): BoardRegistry {
  const boards = new Map<string, BoardProfile>();
  const pinIndex = new Map<string, PinIndex>();
  for (const file of readdirSync(dir)
    .filter((f) => f.endsWith('.json'))
    .sort()) {
    const path = join(dir, file);
    let value: unknown;
    try {
      value = JSON.parse(readFileSync(path, 'utf8'));
    } catch (error) {
      throw new ConfigError(path, [
        { path: '', message: `is not JSON: ${(error as Error).message}` },
      ]);
    }
    const problems = validateBoardProfile(value);
    const board = value as BoardProfile;
    if (problems.length === 0 && `${board.id}.json` !== file) {
      problems.push({ path: 'id', message: `is "${board.id}" but the file is ${file}` });
    }
    if (problems.length > 0) throw new ConfigError(path, problems);
    boards.set(board.id, board);
    pinIndex.set(board.id, indexPins(board, []));
  }
  return { boards, pinIndex };
}
