/**
 * Declares at the top of its function every `var` the code uses before its `var` statement.
 *
 * JavaScript hoists `var` declarations; Espruino declares a name when it reaches the statement
 * (it runs code as it reads it), so in `n = 1; …; var n` the assignment lands on an outer `n`,
 * perhaps one of the bundle's own top-level functions. Minifiers rely on hoisting (UglifyJS
 * declares an inlined function's parameters after the code that uses them), so the build
 * puts `var n,o;` first in each such function. Redeclaring a var is harmless in both engines.
 * checkDeclarationOrder (syntax-check.ts) then proves that nothing is used early.
 */
import { parse } from 'acorn';
import { type AnyNode, isFunction, walk } from './ast.js';
import { earlyUses } from './early-uses.js';

/** The `var` names of `fn` used before their declaration, outside nested functions. */
export function earlyVars(fn: AnyNode): string[] {
  return [...new Set(earlyUses(fn, { functions: false }).map((id) => id.name as string))];
}

export function hoistEarlyVars(code: string): string {
  const program = parse(code, {
    ecmaVersion: 'latest',
    sourceType: 'script',
  }) as unknown as AnyNode;
  /** Insertions: where, and the declaration to insert there. */
  const inserts: { at: number; text: string }[] = [];
  for (const { node } of walk(program)) {
    const block =
      node.type === 'Program' ||
      (isFunction(node) && (node.body as AnyNode).type === 'BlockStatement');
    if (!block) continue;
    const names = earlyVars(node);
    if (names.length > 0) {
      const at = node.type === 'Program' ? node.start : (node.body as AnyNode).start + 1;
      inserts.push({ at, text: `var ${names.join(',')};` });
    }
  }
  inserts.sort((a, b) => b.at - a.at);
  let out = code;
  for (const insert of inserts) out = out.slice(0, insert.at) + insert.text + out.slice(insert.at);
  return out;
}
