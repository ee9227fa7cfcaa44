import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { hoistEarlyVars } from '../../firmware/espruino/hoist-vars.js';
import {
  checkDeclarationOrder,
  checkEspruinoSyntax,
} from '../../firmware/espruino/syntax-check.js';

/** Each row: code the interpreter lacks a feature for, and the feature the checker must name. */
const REFUSED: ReadonlyArray<[code: string, feature: string]> = [
  ['async function f() {}', 'async/await'],
  ['const f = async () => 1;', 'async/await'],
  ['var o = { async m() {} };', 'async/await'],
  [
    'function f(p) { return p.then(function () {}); } async function g() { await f(); }',
    'async/await',
  ],
  ['const { a, b } = obj;', 'destructuring'],
  ['const [x, y] = arr;', 'destructuring'],
  ['function f({ a }) { return a; }', 'destructuring'],
  ['var a, b; [a, b] = [b, a];', 'destructuring'],
  ['for (const [k, v] of Object.entries(o)) {}', 'destructuring'],
  ['try { x(); } catch ({ message }) {}', 'destructuring'],
  ['f(...args);', 'spread/rest'],
  ['const c = [...a, 1];', 'spread/rest'],
  ['const o2 = { ...o };', 'spread/rest'],
  ['function f(...rest) { return rest; }', 'spread/rest'],
  ['function f(a, b = 2) { return a + b; }', 'default parameters'],
  ['const f = (a = 1) => a;', 'default parameters'],
  ['const m = new Map();', 'Map'],
  ['const s = new Set([1]);', 'Set'],
  ['const w = new WeakMap();', 'WeakMap'],
  ["const k = Symbol('k');", 'Symbol'],
  ['const p = new Proxy({}, {});', 'Proxy'],
  ['Reflect.ownKeys({});', 'Reflect'],
  ['const n = BigInt(1);', 'BigInt'],
  ['const n = 10n;', 'BigInt'],
  ['function* g() { yield 1; }', 'generators'],
  ['var o = { *g() {} };', 'generators'],
  ['const o = { [key]: 1 };', 'computed property keys'],
  ['class C { [name]() {} }', 'computed property keys'],
  ['const e = 2 ** 8;', 'exponent operator'],
  ['let e = 2; e **= 2;', 'exponent operator'],
  ['const v = a?.b;', 'optional chaining'],
  ['const v = f?.();', 'optional chaining'],
  ['outer: for (;;) { for (;;) { continue outer; } }', 'labelled break/continue'],
  ['outer: for (;;) { break outer; }', 'labelled break/continue'],
  ['const a = Array.from(list);', 'Array.from'],
  ['const ok = Number.isInteger(3);', 'Number.isInteger'],
  ['const own = Object.hasOwn(table, name);', 'Object.hasOwn'],
  ['p.then(f).finally(g);', 'Promise.finally'],
  ['Promise.race([a, b]);', 'Promise.race'],
  ['Promise.allSettled([a]);', 'Promise.allSettled'],
  ['Promise.any([a]);', 'Promise.any'],
  ['const s = String.raw`a\\n`;', 'String.raw'],
  ['const r = /a/y;', 'sticky regex'],
  ["const r = new RegExp('a', 'gy');", 'sticky regex'],
  ['import x from "y";', 'syntax'],
  ['const = 1;', 'syntax'],
];

/** Code that uses only what espruino.md says works: nothing may be reported. */
const ACCEPTED: ReadonlyArray<string> = [
  'const f = (a, b) => a + b;',
  'class A { constructor(x) { this.x = x; } get y() { return 1; } static z() {} }',
  'class B extends A { constructor() { super(1); } }',
  // biome-ignore lint/suspicious/noTemplateCurlyInString: the row is source code containing a template
  'const t = `v=${1 + 2}`;',
  'let i = 0; const c = 1;',
  'Promise.all([Promise.resolve(1)]).then(function (v) { return v; }).catch(function () {});',
  'const j = JSON.stringify({ a: 1 });',
  'const u = new Uint8Array(4); const d = new DataView(u.buffer);',
  'for (const x of [1, 2]) { x; }',
  'const n = a ?? 0;',
  "'abc'.includes('b'); 'abc'.startsWith('a'); '1'.padStart(2, '0');",
  'Object.assign({}, { a: 1 }); Object.entries({ a: 1 });',
  'const a = 1; const o = { a, m() { return 1; } };',
  '[1, 2].find(function (x) { return x > 1; });',
  'const r = /a/gi; Math.pow(2, 8);',
  'function Map() {} const m = new Map();',
  'const o = { Map: 1, Set: 2 }; o.Map; o.Symbol;',
  'for (;;) { break; } while (true) { continue; }',
];

for (const [code, feature] of REFUSED) {
  test(`refuses ${feature}: ${code}`, () => {
    const problems = checkEspruinoSyntax(code, 'bundle.js');
    const features = problems.map((p) => p.feature);
    assert.ok(features.includes(feature), `expected ${feature}, got ${JSON.stringify(problems)}`);
    const problem = problems.find((p) => p.feature === feature)!;
    assert.ok(problem.message.startsWith('bundle.js:'), problem.message);
    assert.ok(problem.line >= 1 && problem.column >= 1);
  });
}

for (const code of ACCEPTED) {
  test(`accepts ${code}`, () => {
    assert.equal(checkEspruinoSyntax(code, 'bundle.js'), []);
  });
}

test('reports the line and column of a feature deep inside a function', () => {
  const code =
    'function setup() {\n  var x = 1;\n  function later() {\n    return x ** 2;\n  }\n}\n';
  assert.equal(checkEspruinoSyntax(code, 'main.js'), [
    {
      line: 4,
      column: 12,
      feature: 'exponent operator',
      message: 'main.js:4:12: the ** operator is not supported by Espruino; use Math.pow',
    },
  ]);
});

test('reports every problem, in source order, once each', () => {
  const code = 'const { a } = o;\nconst m = new Map();\nconst v = a?.b;\n';
  const problems = checkEspruinoSyntax(code, 'b.js');
  assert.equal(
    problems.map((p) => [p.line, p.feature]),
    [
      [1, 'destructuring'],
      [2, 'Map'],
      [3, 'optional chaining'],
    ],
  );
});

/** Code where a name is used before its declaration in the same function, and that name. */
const EARLY: ReadonlyArray<[code: string, name: string]> = [
  ['function f() { n = 1; var n = 2; return n; }', 'n'],
  ['function f(a) { a(x); var x; }', 'x'],
  ['var o = (t = 1) + t, t = 2;', 't'],
  ['go(); function go() {}', 'go'],
  ['function f() { g(); function g() {} }', 'g'],
];

/** Code with every name declared before it is used, or used only by a nested function. */
const IN_ORDER: readonly string[] = [
  'function f() { var n = 1; n++; return n; }',
  'function f(n) { n = 2; var n; return n; }',
  'function f() { for (let n = 0; n < 2; n++) {} var n = 3; return n; }',
  'function f() { return () => n; var n; }',
  'function go() {} go();',
  'function f() { try { h(); } catch (e) { e = 1; } var e; }',
];

test('finds a name used before its declaration in the same function, with its place', () => {
  for (const [code, name] of EARLY) {
    const problems = checkDeclarationOrder(code, 'early.js');
    assert.ok(problems.length > 0, code);
    assert.equal(problems[0]?.feature, 'use before declaration', code);
    assert.match(
      problems[0]?.message ?? '',
      new RegExp(`^early\\.js:1:\\d+: ${name} is used before`),
    );
  }
  for (const code of IN_ORDER) assert.equal(checkDeclarationOrder(code, 'ok.js'), [], code);
});

test('hoistEarlyVars declares early vars first, and the code still computes the same', () => {
  const code =
    'function f(a) { r = a * 2; o = r + 1; var r, o; return o; } function g() { var k = 1; return k; }';
  const hoisted = hoistEarlyVars(code);
  assert.equal(checkDeclarationOrder(code, 'x.js').length > 0, true);
  assert.equal(checkDeclarationOrder(hoisted, 'x.js'), []);
  assert.ok(hoisted.startsWith('function f(a) {var r,o;'), hoisted);
  assert.ok(hoisted.includes('function g() { var k = 1;'), 'g had nothing early: unchanged');
  const run = (text: string) => new Function(`${text}; return [f(3), g()];`)() as number[];
  assert.equal(run(hoisted), run(code));
  assert.equal(run(hoisted), [7, 1]);
});

test.run();
