/**
 * Refuses JavaScript that the Espruino interpreter cannot run, before it reaches a board.
 *
 * Espruino parses lazily: a syntax error is reported only when execution reaches it, after the
 * statements before it have already run (../../../shared/espruino.md). So the whole bundle is
 * parsed here with acorn and every node is checked against the list of features the
 * interpreter lacks (measured on Espruino 2v29). One problem is reported per offending node.
 *
 * The tree walk is a small generic recursion over node fields rather than acorn-walk: acorn-walk
 * is not a declared dependency, and a generic walk also visits every pattern position
 * (parameters, catch clauses, for-of heads) without a per-node-type visitor table.
 */
import { parse } from 'acorn';
import { type AnyNode, isFunction, isNotAReference, type Visit, walk } from './ast.js';
import { earlyUses } from './early-uses.js';

export interface EspruinoSyntaxProblem {
  /** 1-based line. */
  line: number;
  /** 1-based column. */
  column: number;
  /** Short name of the feature, e.g. `destructuring`, `async/await`. */
  feature: string;
  message: string;
}

/** Globals the interpreter does not define (espruino.md, "missing"). */
const MISSING_GLOBALS = new Set(['Map', 'Set', 'WeakMap', 'Symbol', 'Proxy', 'Reflect', 'BigInt']);

/** `Object.method` pairs the interpreter does not define. */
const MISSING_STATIC_METHODS: Record<string, ReadonlySet<string>> = {
  Array: new Set(['from']),
  Number: new Set(['isInteger']),
  // Not in Espruino's src/jswrap_object.c; biome's noPrototypeBuiltins fix writes it.
  Object: new Set(['hasOwn']),
  Promise: new Set(['race', 'allSettled', 'any']),
  String: new Set(['raw']),
};

/** Prototype methods missing on every receiver we could not type: flagged by name. */
const MISSING_PROTOTYPE_METHODS = new Set(['finally']);

/** Names the bundle declares itself: a local `Map` is the bundle's own, not the missing global. */
function declaredNames(program: AnyNode): Set<string> {
  const names = new Set<string>();
  for (const { node, key, parent } of walk(program)) {
    if (node.type !== 'Identifier') continue;
    const declaring =
      (parent?.type === 'VariableDeclarator' && key === 'id') ||
      (/Function|Class/.test(parent?.type ?? '') && (key === 'id' || key === 'params')) ||
      (parent?.type === 'CatchClause' && key === 'param');
    if (declaring) names.add(node.name as string);
  }
  return names;
}

function propertyName(member: AnyNode): string | undefined {
  const property = member.property as AnyNode;
  if (!member.computed && property.type === 'Identifier') return property.name as string;
  if (member.computed && property.type === 'Literal' && typeof property.value === 'string') {
    return property.value;
  }
  return undefined;
}

type Finding = { feature: string; message: string };

function checkNode(visit: Visit, declared: Set<string>): Finding[] {
  const { node, parent, key } = visit;
  const found: Finding[] = [];
  const add = (feature: string, message: string) => found.push({ feature, message });
  switch (node.type) {
    case 'FunctionDeclaration':
    case 'FunctionExpression':
    case 'ArrowFunctionExpression':
      if (node.async) add('async/await', 'async functions are not supported by Espruino');
      if (node.generator)
        add('generators', 'generator functions (function*) are not supported by Espruino');
      break;
    case 'AwaitExpression':
      add('async/await', 'await is not supported by Espruino');
      break;
    case 'ForOfStatement':
      if (node.await) add('async/await', 'for await…of is not supported by Espruino');
      break;
    case 'YieldExpression':
      add('generators', 'yield is not supported by Espruino');
      break;
    case 'ObjectPattern':
    case 'ArrayPattern': {
      // Report the outermost pattern only; a nested one is part of the same destructuring.
      const nested = parent !== undefined && /Pattern|Property|RestElement/.test(parent.type);
      if (!nested) {
        const form = node.type === 'ObjectPattern' ? 'object' : 'array';
        add('destructuring', `${form} destructuring is not supported by Espruino`);
      }
      break;
    }
    case 'SpreadElement':
      add('spread/rest', 'spread syntax (...) is not supported by Espruino');
      break;
    case 'RestElement':
      add('spread/rest', 'rest elements and rest parameters (...) are not supported by Espruino');
      break;
    case 'AssignmentPattern':
      if (parent && /Function/.test(parent.type) && key === 'params') {
        add('default parameters', 'default parameter values are not supported by Espruino');
      }
      break;
    case 'Property':
    case 'MethodDefinition':
    case 'PropertyDefinition':
      if (node.computed)
        add(
          'computed property keys',
          'computed property keys ([expr]) are not supported by Espruino',
        );
      break;
    case 'BinaryExpression':
    case 'AssignmentExpression':
      if (node.operator === '**' || node.operator === '**=') {
        add(
          'exponent operator',
          `the ${node.operator} operator is not supported by Espruino; use Math.pow`,
        );
      }
      break;
    case 'ChainExpression':
      add('optional chaining', 'optional chaining (?.) is not supported by Espruino');
      break;
    case 'BreakStatement':
    case 'ContinueStatement':
      if (node.label) {
        const word = node.type === 'BreakStatement' ? 'break' : 'continue';
        add('labelled break/continue', `labelled ${word} is not supported by Espruino`);
      }
      break;
    case 'Identifier':
      if (MISSING_GLOBALS.has(node.name as string) && !declared.has(node.name as string)) {
        if (!isNotAReference(parent, key))
          add(node.name as string, `${node.name} is not defined on Espruino`);
      }
      break;
    case 'Literal':
      if (typeof node.bigint === 'string')
        add('BigInt', 'BigInt literals are not supported by Espruino');
      if ((node.regex as { flags?: string } | undefined)?.flags?.includes('y')) {
        add('sticky regex', 'sticky regular expressions (flag y) are not supported by Espruino');
      }
      break;
    case 'NewExpression':
    case 'CallExpression': {
      const callee = node.callee as AnyNode;
      const flags = (node.arguments as AnyNode[])[1];
      if (
        callee.type === 'Identifier' &&
        callee.name === 'RegExp' &&
        flags?.type === 'Literal' &&
        typeof flags.value === 'string' &&
        flags.value.includes('y')
      ) {
        add('sticky regex', 'sticky regular expressions (flag y) are not supported by Espruino');
      }
      break;
    }
    case 'MemberExpression': {
      const name = propertyName(node);
      if (name === undefined) break;
      const object = node.object as AnyNode;
      if (object.type === 'Identifier' && !declared.has(object.name as string)) {
        const missing = MISSING_STATIC_METHODS[object.name as string];
        if (missing?.has(name))
          add(`${object.name}.${name}`, `${object.name}.${name} is not defined on Espruino`);
      }
      if (MISSING_PROTOTYPE_METHODS.has(name)) {
        add('Promise.finally', `.${name}() is not defined on Espruino promises`);
      }
      break;
    }
  }
  return found;
}

/**
 * Parses `code` and returns every construct the Espruino interpreter would refuse, in source
 * order. An empty array means the bundle is safe to upload. A parse error (code no JavaScript
 * engine accepts, or `import`/`export`, which Espruino does not have) is one problem with
 * feature `syntax`.
 */
export function checkEspruinoSyntax(code: string, filename: string): EspruinoSyntaxProblem[] {
  let program: AnyNode;
  try {
    program = parse(code, {
      ecmaVersion: 'latest',
      sourceType: 'script',
      locations: true,
    }) as unknown as AnyNode;
  } catch (error) {
    const loc = (error as { loc?: { line: number; column: number } }).loc;
    const reason = (error as Error).message.replace(/ \(\d+:\d+\)$/, '');
    return [
      {
        line: loc?.line ?? 1,
        column: (loc?.column ?? 0) + 1,
        feature: 'syntax',
        message: `${filename}: ${reason}`,
      },
    ];
  }
  const declared = declaredNames(program);
  const problems: EspruinoSyntaxProblem[] = [];
  const seen = new Set<string>();
  for (const visit of walk(program)) {
    for (const finding of checkNode(visit, declared)) {
      const start = visit.node.loc!.start;
      // acorn may share one node between a shorthand property's key and value.
      const id = `${visit.node.start}:${finding.feature}`;
      if (seen.has(id)) continue;
      seen.add(id);
      problems.push({
        line: start.line,
        column: start.column + 1,
        feature: finding.feature,
        message: `${filename}:${start.line}:${start.column + 1}: ${finding.message}`,
      });
    }
  }
  return problems.sort((a, b) => a.line - b.line || a.column - b.column);
}

/** One line per problem, for build and flash errors. */
export function formatEspruinoSyntaxProblems(problems: readonly EspruinoSyntaxProblem[]): string {
  return problems.map((p) => `  ${p.message}`).join('\n');
}

/**
 * Names used before their declaration in the same function: a `var` written or read before its
 * `var` statement, a function declaration called before it. JavaScript hoists both; Espruino
 * declares a name when it reaches the statement (it runs code as it reads it), so an assignment
 * before the `var` lands on an outer variable of the same name, possibly one of the bundle's
 * top-level functions (the Espruino forum reports minified code breaking this way). Minifiers
 * rely on hoisting when they inline and merge variables, so the build checks its output.
 * Uses inside nested functions are not counted: they run later.
 */
export function checkDeclarationOrder(code: string, filename: string): EspruinoSyntaxProblem[] {
  const program = parse(code, {
    ecmaVersion: 'latest',
    sourceType: 'script',
    locations: true,
  }) as unknown as AnyNode;
  const problems: EspruinoSyntaxProblem[] = [];
  for (const { node: fn } of walk(program)) {
    if (fn.type !== 'Program' && !isFunction(fn)) continue;
    for (const node of earlyUses(fn, { functions: true })) {
      const start = node.loc!.start;
      problems.push({
        line: start.line,
        column: start.column + 1,
        feature: 'use before declaration',
        message: `${filename}:${start.line}:${start.column + 1}: ${node.name} is used before its declaration in the same function; Espruino declares a name only when it reaches the statement`,
      });
    }
  }
  return problems.sort((a, b) => a.line - b.line || a.column - b.column);
}
