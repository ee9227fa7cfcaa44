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
import { type Node, parse } from 'acorn';

type AnyNode = Node & Record<string, unknown>;

function isNode(value: unknown): value is AnyNode {
  return typeof value === 'object' && value !== null && typeof (value as Node).type === 'string';
}

function isFunction(node: AnyNode): boolean {
  return /Function/.test(node.type);
}

function children(node: AnyNode): AnyNode[] {
  const found: AnyNode[] = [];
  for (const [field, value] of Object.entries(node)) {
    if (field === 'type' || field === 'start' || field === 'end' || field === 'loc') continue;
    if (Array.isArray(value)) for (const item of value) if (isNode(item)) found.push(item);
    if (isNode(value)) found.push(value);
  }
  return found;
}

/** The function's own `var` names (not those of nested functions), at their first declarator. */
function ownVars(body: AnyNode): Map<string, number> {
  const names = new Map<string, number>();
  const visit = (node: AnyNode): void => {
    if (isFunction(node)) return;
    if (node.type === 'VariableDeclaration' && node.kind === 'var') {
      for (const d of node.declarations as AnyNode[]) {
        const id = d.id as AnyNode;
        if (id.type === 'Identifier' && !names.has(id.name as string))
          names.set(id.name as string, d.start);
      }
    }
    for (const child of children(node)) visit(child);
  };
  visit(body);
  return names;
}

/** Names a node declares with let, const or catch for its subtree (they hide a var). */
function lexical(node: AnyNode): string[] {
  let declarations: unknown[] = [];
  if (node.type === 'ForStatement') declarations = [node.init];
  else if (node.type === 'ForInStatement' || node.type === 'ForOfStatement')
    declarations = [node.left];
  else if (node.type === 'BlockStatement') declarations = node.body as unknown[];
  const names: string[] = [];
  for (const d of declarations) {
    if (!isNode(d) || d.type !== 'VariableDeclaration' || d.kind === 'var') continue;
    for (const x of d.declarations as AnyNode[]) {
      const id = x.id as AnyNode;
      if (id.type === 'Identifier') names.push(id.name as string);
    }
  }
  if (node.type === 'CatchClause' && isNode(node.param) && node.param.type === 'Identifier')
    names.push(node.param.name as string);
  return names;
}

function isReference(parent: AnyNode | undefined, key: string): boolean {
  if (!parent) return true;
  if (parent.type === 'MemberExpression') return key !== 'property' || Boolean(parent.computed);
  if (parent.type === 'Property') return key !== 'key' || Boolean(parent.computed);
  if (parent.type === 'VariableDeclarator') return key !== 'id';
  return !(
    (parent.type === 'LabeledStatement' ||
      parent.type === 'BreakStatement' ||
      parent.type === 'ContinueStatement') &&
    key === 'label'
  );
}

/** The `var` names of `fn` used before their declaration, outside nested functions. */
export function earlyVars(fn: AnyNode): string[] {
  const body = fn.type === 'Program' ? fn : (fn.body as AnyNode);
  const declared = ownVars(body);
  if (fn.type !== 'Program')
    for (const p of fn.params as AnyNode[])
      if (p.type === 'Identifier') declared.delete(p.name as string);
  const early = new Set<string>();
  const visit = (
    node: AnyNode,
    parent: AnyNode | undefined,
    key: string,
    live: Map<string, number>,
  ) => {
    if (isFunction(node)) return;
    let names = live;
    const hidden = lexical(node);
    if (hidden.length > 0) {
      names = new Map(live);
      for (const name of hidden) names.delete(name);
    }
    if (node.type === 'Identifier') {
      const at = names.get(node.name as string);
      if (at !== undefined && node.start < at && isReference(parent, key))
        early.add(node.name as string);
      return;
    }
    for (const [field, value] of Object.entries(node)) {
      if (field === 'type' || field === 'start' || field === 'end' || field === 'loc') continue;
      if (Array.isArray(value)) {
        for (const item of value) if (isNode(item)) visit(item, node, field, names);
      } else if (isNode(value)) visit(value, node, field, names);
    }
  };
  visit(body, undefined, '', declared);
  return [...early];
}

export function hoistEarlyVars(code: string): string {
  const program = parse(code, {
    ecmaVersion: 'latest',
    sourceType: 'script',
  }) as unknown as AnyNode;
  /** Insertions: where, and the declaration to insert there. */
  const inserts: { at: number; text: string }[] = [];
  const visit = (node: AnyNode): void => {
    if (
      node.type === 'Program' ||
      (isFunction(node) && (node.body as AnyNode).type === 'BlockStatement')
    ) {
      const names = earlyVars(node);
      if (names.length > 0) {
        const at = node.type === 'Program' ? node.start : (node.body as AnyNode).start + 1;
        inserts.push({ at, text: `var ${names.join(',')};` });
      }
    }
    for (const child of children(node)) visit(child);
  };
  visit(program);
  inserts.sort((a, b) => b.at - a.at);
  let out = code;
  for (const insert of inserts) out = out.slice(0, insert.at) + insert.text + out.slice(insert.at);
  return out;
}
