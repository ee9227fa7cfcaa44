/**
 * Names used before their declaration in the same function. JavaScript hoists `var` and
 * function declarations; Espruino declares a name when it reaches the statement (it runs code
 * as it reads it), so an assignment before the `var` lands on an outer variable of the same
 * name. The build rewrites such vars (hoist-vars.ts) and then proves that nothing is left
 * (checkDeclarationOrder in syntax-check.ts); both ask this module.
 */
import { type AnyNode, childrenOf, isFunction, isNode, isNotAReference } from './ast.js';

/**
 * The function's own `var` names (not those of nested functions), and its function
 * declarations when `functions`, each at the position of its first declaration.
 */
function functionLevelNames(body: AnyNode, functions: boolean): Map<string, number> {
  const names = new Map<string, number>();
  const visit = (node: AnyNode): void => {
    if (node.type === 'FunctionDeclaration' && functions) {
      const name = (node.id as AnyNode).name as string;
      if (!names.has(name)) names.set(name, node.start);
      return;
    }
    if (isFunction(node)) return;
    if (node.type === 'VariableDeclaration' && node.kind === 'var') {
      for (const d of node.declarations as AnyNode[]) {
        const id = d.id as AnyNode;
        if (id.type === 'Identifier' && !names.has(id.name as string))
          names.set(id.name as string, d.start);
      }
    }
    for (const { child } of childrenOf(node)) visit(child);
  };
  visit(body);
  return names;
}

/** `let`, `const` and catch names a node declares for its own subtree (they shadow a `var`). */
function lexicalNames(node: AnyNode): string[] {
  const names: string[] = [];
  let declarations: unknown[] = [];
  if (node.type === 'ForStatement') declarations = [node.init];
  else if (node.type === 'ForInStatement' || node.type === 'ForOfStatement')
    declarations = [node.left];
  else if (node.type === 'BlockStatement' || node.type === 'Program')
    declarations = node.body as unknown[];
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

/**
 * The identifiers in `fn` (a function or the Program) that use one of its own vars (and, with
 * `functions`, its function declarations) before the declaration. Uses inside nested
 * functions are not counted: they run later.
 */
export function earlyUses(fn: AnyNode, options: { functions: boolean }): AnyNode[] {
  const body = fn.type === 'Program' ? fn : (fn.body as AnyNode);
  const declared = functionLevelNames(body, options.functions);
  if (fn.type !== 'Program')
    for (const p of fn.params as AnyNode[])
      if (p.type === 'Identifier') declared.delete(p.name as string);
  const early: AnyNode[] = [];
  const visit = (
    node: AnyNode,
    parent: AnyNode | undefined,
    key: string,
    live: Map<string, number>,
  ) => {
    if (isFunction(node) && node !== fn) return;
    let names = live;
    const shadowed = lexicalNames(node);
    if (shadowed.length > 0) {
      names = new Map(live);
      for (const name of shadowed) names.delete(name);
    }
    if (node.type === 'Identifier') {
      const at = names.get(node.name as string);
      const declaring = parent?.type === 'VariableDeclarator' && key === 'id';
      if (at !== undefined && node.start < at && !declaring && !isNotAReference(parent, key))
        early.push(node);
      return;
    }
    for (const { child, field } of childrenOf(node)) visit(child, node, field, names);
  };
  visit(body, undefined, '', declared);
  return early;
}
