/**
 * The few helpers over acorn's syntax tree that the bundle's checks and rewrites share: a
 * node test, a walk that knows each node's parent and field, and whether an identifier is a
 * variable reference at all.
 */
import type { Node } from 'acorn';

export type AnyNode = Node & Record<string, unknown>;

export interface Visit {
  node: AnyNode;
  parent: AnyNode | undefined;
  /** The parent's field that holds this node. */
  key: string;
}

const SKIPPED_FIELDS = new Set(['type', 'start', 'end', 'loc', 'range']);

export function isNode(value: unknown): value is AnyNode {
  return typeof value === 'object' && value !== null && typeof (value as Node).type === 'string';
}

export function isFunction(node: AnyNode): boolean {
  return /Function/.test(node.type);
}

/** The node's child nodes, each with the field that holds it. */
export function* childrenOf(node: AnyNode): Generator<{ child: AnyNode; field: string }> {
  for (const [field, value] of Object.entries(node)) {
    if (SKIPPED_FIELDS.has(field)) continue;
    if (Array.isArray(value)) {
      for (const item of value) if (isNode(item)) yield { child: item, field };
    } else if (isNode(value)) yield { child: value, field };
  }
}

/** Every node of the tree, depth first, with its parent. */
export function* walk(node: AnyNode, parent?: AnyNode, key = ''): Generator<Visit> {
  yield { node, parent, key };
  for (const { child, field } of childrenOf(node)) yield* walk(child, node, field);
}

/** True when an Identifier is a property name or label, not a variable reference. */
export function isNotAReference(parent: AnyNode | undefined, key: string): boolean {
  if (!parent) return false;
  switch (parent.type) {
    case 'MemberExpression':
      return key === 'property' && !parent.computed;
    case 'Property':
    case 'MethodDefinition':
    case 'PropertyDefinition':
      return key === 'key' && !parent.computed;
    case 'LabeledStatement':
    case 'BreakStatement':
    case 'ContinueStatement':
      return key === 'label';
    default:
      return false;
  }
}
