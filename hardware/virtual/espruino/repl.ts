/**
 * The Espruino REPL's line discipline, from the board's side: characters are echoed while echo
 * is on, a line starting with DLE (0x10) is not echoed, Ctrl-C clears the input, lines are
 * gathered until the statement is complete, then run statement by statement: as on the real
 * interpreter, the statements before an unsupported construct run, and the error is reported
 * when execution reaches it (../../../shared/espruino.md).
 */
import { parse } from 'acorn';
import {
  checkEspruinoSyntax,
  type EspruinoSyntaxProblem,
} from '../../../firmware/espruino/syntax-check.js';
import { formatUncaught } from './sandbox.js';

const CTRL_C = '\x03';
const DLE = '\x10';
const BACKSPACE = new Set(['\x08', '\x7f']);

/** Features the real interpreter fails on while parsing, not at run time. */
const RUNTIME_FEATURES = new Set([
  'Map',
  'Set',
  'WeakMap',
  'Symbol',
  'Proxy',
  'Reflect',
  'BigInt',
  'Array.from',
  'Number.isInteger',
  'Promise.finally',
  'Promise.race',
  'Promise.allSettled',
  'Promise.any',
  'String.raw',
]);

/** What Espruino's parser says it wanted instead, per feature (its `Got '…' expected …`). */
const EXPECTED: Record<string, string> = {
  destructuring: 'ID',
  'spread/rest': 'ID',
  'default parameters': "')'",
  'computed property keys': 'ID',
  'exponent operator': 'ID',
  'optional chaining': 'ID',
  'labelled break/continue': "';'",
  generators: "'('",
  'async/await': 'EOF',
  'sticky regex': 'EOF',
  syntax: 'EOF',
};

/** Where the parser trips for features whose node starts before the offending token. */
const TOKENS: Record<string, string> = {
  'exponent operator': '**',
  'optional chaining': '?.',
  'default parameters': '=',
};

export interface ReplHost {
  write(text: string): void;
  /** Runs code in the board's RAM; throws what it throws. */
  run(code: string): unknown;
}

function offsetOf(code: string, line: number, column: number): number {
  let offset = 0;
  for (let l = 1; l < line; l++) offset = code.indexOf('\n', offset) + 1;
  return offset + column - 1;
}

/** Espruino's wording for a construct it cannot run, with its location. */
export function espruinoError(problem: EspruinoSyntaxProblem, code: string): string {
  const at = offsetOf(code, problem.line, problem.column);
  if (RUNTIME_FEATURES.has(problem.feature)) {
    const member = problem.feature.split('.')[1];
    if (member) return `Uncaught Error: Function "${member}" not found!`;
    return `Uncaught ReferenceError: "${problem.feature}" is not defined`;
  }
  const marker = TOKENS[problem.feature];
  const from = marker && code.indexOf(marker, at) >= 0 ? code.indexOf(marker, at) : at;
  const token = /^(\.\.\.|\*\*=?|\?\.|[A-Za-z_$][\w$]*|\S)/.exec(code.slice(from))?.[1] ?? 'EOF';
  const sourceLine = code.split('\n')[problem.line - 1] ?? '';
  return (
    `Uncaught SyntaxError: Got '${token}' expected ${EXPECTED[problem.feature] ?? 'EOF'}\r\n` +
    ` at line ${problem.line} col ${problem.column}\r\n${sourceLine}\r\n${' '.repeat(problem.column - 1)}^`
  );
}

/** True when `code` only lacks its end (an open bracket, template or statement). */
function isIncomplete(code: string): boolean {
  try {
    parse(code, { ecmaVersion: 'latest', sourceType: 'script' });
    return false;
  } catch (error) {
    const pos = (error as { pos?: number }).pos ?? 0;
    return pos >= code.trimEnd().length || /Unterminated template/.test((error as Error).message);
  }
}

function formatResult(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value);
  if (typeof value === 'function' || value === undefined) return String(value);
  try {
    return JSON.stringify(value) ?? String(value);
  } catch {
    // A cyclic object: Espruino prints its own dump; its string form is enough here.
    return String(value);
  }
}

export class EspruinoRepl {
  echo = true;
  private line = '';
  private pending = '';
  private quietLine = false;
  private lastWasCr = false;

  constructor(private readonly host: ReplHost) {}

  /** Clears any half-typed input, as after a reset. */
  clear(): void {
    this.line = '';
    this.pending = '';
    this.quietLine = false;
  }

  /** Runs a whole program without echo, as the board runs its boot code. */
  runProgram(code: string): boolean {
    return this.execute(code).ok;
  }

  receive(text: string): void {
    for (const char of text) this.receiveChar(char);
  }

  private receiveChar(char: string): void {
    if (char === '\n' && this.lastWasCr) {
      this.lastWasCr = false;
      return;
    }
    this.lastWasCr = char === '\r';
    if (char === CTRL_C) {
      this.clear();
      if (this.echo) this.host.write('\r\n>');
      return;
    }
    if (char === DLE && this.line === '') {
      this.quietLine = true;
      return;
    }
    if (char === '\r' || char === '\n') {
      this.endLine();
      return;
    }
    if (BACKSPACE.has(char)) {
      this.line = this.line.slice(0, -1);
      return;
    }
    this.line += char;
    if (this.echo && !this.quietLine) this.host.write(char);
  }

  private endLine(): void {
    const quiet = this.quietLine || !this.echo;
    if (!quiet) this.host.write('\r\n');
    const code = this.pending + this.line;
    this.line = '';
    this.quietLine = false;
    if (isIncomplete(code) && code.trim() !== '') {
      this.pending = `${code}\n`;
      if (!quiet) this.host.write(':');
      return;
    }
    this.pending = '';
    const outcome = this.execute(code);
    // echo(0) silences its own result too.
    if (!quiet && this.echo && outcome.ok) this.host.write(`=${formatResult(outcome.value)}\r\n`);
    if (this.echo) this.host.write('>');
  }

  private execute(code: string): { ok: true; value: unknown } | { ok: false } {
    if (code.trim() === '') return { ok: true, value: undefined };
    const problems = checkEspruinoSyntax(code, 'REPL');
    const syntax = problems.find((p) => p.feature === 'syntax');
    if (syntax) {
      this.host.write(`${espruinoError(syntax, code)}\r\n`);
      return { ok: false };
    }
    const program = parse(code, { ecmaVersion: 'latest', sourceType: 'script' });
    const first = problems[0];
    const stopAt = first ? offsetOf(code, first.line, first.column) : Number.POSITIVE_INFINITY;
    let value: unknown;
    for (const statement of program.body) {
      if (statement.end > stopAt) {
        this.host.write(`${espruinoError(first!, code)}\r\n`);
        return { ok: false };
      }
      try {
        value = this.host.run(code.slice(statement.start, statement.end));
      } catch (error) {
        this.host.write(`${formatUncaught(error)}\r\n`);
        return { ok: false };
      }
    }
    return { ok: true, value };
  }
}
