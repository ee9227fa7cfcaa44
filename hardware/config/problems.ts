/**
 * A problem found in a hardware file: where (a field path such as `sensors[1].pin`) and a message
 * naming the bad value and what is allowed. Validators collect every problem, never just the first.
 */
import type { ErrorObject } from 'ajv';

export interface Problem {
  /** Field path: `board`, `sensors[1].pin`, `network.wifi.ssid`; empty for the whole file. */
  path: string;
  message: string;
}

/** Thrown by loaders: holds every problem, and says them all in its message. */
export class ConfigError extends Error {
  constructor(
    readonly source: string,
    readonly problems: Problem[],
  ) {
    super(
      `${source}: ${problems.length} problem${problems.length === 1 ? '' : 's'}:\n${problems
        .map((p) => `  ${formatProblem(source, p)}`)
        .join('\n')}`,
    );
    this.name = 'ConfigError';
  }
}

/** `file:field: message`, the form `fullstack check` prints. */
export function formatProblem(source: string, problem: Problem): string {
  return problem.path === ''
    ? `${source}: ${problem.message}`
    : `${source}:${problem.path}: ${problem.message}`;
}

/** JSON pointer (`/sensors/1/pin`) to a field path (`sensors[1].pin`). */
export function pointerToPath(pointer: string): string {
  let path = '';
  for (const raw of pointer.split('/').slice(1)) {
    const key = raw.replace(/~1/g, '/').replace(/~0/g, '~');
    path += /^\d+$/.test(key) ? `[${key}]` : path === '' ? key : `.${key}`;
  }
  return path;
}

export function joinPath(base: string, key: string | number): string {
  if (typeof key === 'number') return `${base}[${key}]`;
  return base === '' ? key : `${base}.${key}`;
}

/** A value as a message shows it: strings quoted, objects summarised. */
export function show(value: unknown): string {
  if (value === undefined) return 'nothing';
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'object') return 'an object';
  if (typeof value === 'string')
    return JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value);
  return String(value);
}

function valueAt(root: unknown, pointer: string): unknown {
  let current = root;
  for (const raw of pointer.split('/').slice(1)) {
    if (current === null || typeof current !== 'object') return undefined;
    current = (current as Record<string, unknown>)[raw.replace(/~1/g, '/').replace(/~0/g, '~')];
  }
  return current;
}

/** Ajv's errors (run with allErrors) as problems, each naming the field, the value, what is allowed. */
export function problemsFromAjv(
  errors: ErrorObject[] | null | undefined,
  root: unknown,
): Problem[] {
  const problems: Problem[] = [];
  const seen = new Set<string>();
  for (const error of errors ?? []) {
    const problem = describeAjvError(error, root);
    const key = `${problem.path}\n${problem.message}`;
    if (seen.has(key)) continue;
    seen.add(key);
    problems.push(problem);
  }
  return problems;
}

function describeAjvError(error: ErrorObject, root: unknown): Problem {
  const path = pointerToPath(error.instancePath);
  const value = valueAt(root, error.instancePath);
  const p = error.params as Record<string, unknown>;
  switch (error.keyword) {
    case 'required':
      return {
        path: joinPath(path, String(p.missingProperty)),
        message: 'is missing (required)',
      };
    case 'additionalProperties': {
      const allowed = error.parentSchema?.properties
        ? Object.keys(error.parentSchema.properties as object).join(', ')
        : 'see the schema';
      return {
        path: joinPath(path, String(p.additionalProperty)),
        message: `is not a known field (allowed here: ${allowed})`,
      };
    }
    case 'type':
      return { path, message: `is ${show(value)}, expected ${String(p.type)}` };
    case 'enum':
      return {
        path,
        message: `is ${show(value)}, allowed: ${(p.allowedValues as unknown[]).map((v) => show(v)).join(', ')}`,
      };
    case 'const':
      return { path, message: `is ${show(value)}, must be ${show(p.allowedValue)}` };
    case 'pattern':
      return {
        path,
        message: `is ${show(value)}, which does not match ${String(p.pattern)}${
          error.parentSchema?.description ? ` (${String(error.parentSchema.description)})` : ''
        }`,
      };
    case 'minimum':
    case 'maximum':
    case 'exclusiveMinimum':
    case 'exclusiveMaximum':
      return {
        path,
        message: `is ${show(value)}, must be ${String(p.comparison)} ${String(p.limit)}`,
      };
    case 'minLength':
    case 'maxLength':
      return {
        path,
        message: `is ${show(value)}, must be ${error.keyword === 'minLength' ? 'at least' : 'at most'} ${String(p.limit)} characters`,
      };
    case 'minItems':
    case 'maxItems':
      return {
        path,
        message: `has ${Array.isArray(value) ? value.length : 0} entries, must have ${error.keyword === 'minItems' ? 'at least' : 'at most'} ${String(p.limit)}`,
      };
    default:
      return { path, message: `is ${show(value)}: ${error.message ?? 'invalid'}` };
  }
}
