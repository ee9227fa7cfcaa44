/**
 * The Espruino variables estimate (firmware/espruino/budget.ts) counts what the interpreter
 * would keep for a given piece of code and data, and the build refuses a bundle that would not
 * fit the board: `fullstack build` and `fullstack flash` exit 1 with the figures, while a bundle
 * over the 900-variable budget that still fits the board is a warning.
 */
import * as assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { suite } from 'uvu';
import { codeVars, dataVars } from '../../firmware/espruino/budget.js';
import { buildEspruinoBundle } from '../../firmware/espruino/build.js';
import { KEPT_PROPERTIES, MANGLED_PROPERTIES } from '../../firmware/espruino/property-names.js';
import { loadDeviceConfig } from '../../hardware/config/index.js';
import { REPO_ROOT, repoPath } from '../../lib/paths.js';

const test = suite('Espruino variables');

test('functions: each one alive, its parameters, its name and its scope chain', () => {
  // A declared top-level function: the function, its code (name and native string), two
  // parameters; its name is a global (1).
  assert.deepEqual(codeVars('function f(a,b){return a+b}'), { functions: 1, vars: 6, text: 27 });
  // A closure one level down: a scope reference more, and a name of its own as a returned
  // value; g's call keeps its scope (the call, and x).
  const closure = codeVars('function g(){var x=1;return function(y){return x+y}}');
  assert.equal(closure.functions, 2);
  assert.equal(closure.vars, 1 + (1 + 2) + (1 + 2 + 1 + 1 + 1) + (1 + 1));
  // A callback given to a call lives while the call runs: not counted. One given to
  // setTimeout waits for its timer: counted.
  assert.equal(codeVars('f(function(){return 1})').functions, 0);
  assert.equal(codeVars('setTimeout(function(){return 1},5)').functions, 1);
});

test('data: a key is a name, an integer lives in it, the rest is a variable or more', () => {
  // The object, a (an integer), b and its short string, c and its array of two integers.
  assert.equal(dataVars({ a: 1, b: 'xx', c: [1, 2] }), 1 + 1 + (1 + 1) + (1 + 1 + 2));
  // A float and a 20-character string (a flat string: a header and two 13-byte variables).
  assert.equal(dataVars({ f: 0.5, s: 'x'.repeat(20) }), 1 + (1 + 1) + (1 + 3));
  // A key the minifier shortens is counted short.
  assert.equal(dataVars({ sysIntervalMs: 1 }, MANGLED_PROPERTIES), 2);
  // A 13-character name: 4 characters in the name, 9 in one more variable.
  assert.equal(dataVars({ sysIntervalMs: 1 }), 1 + 2);
});

test('the names the contract, OTA, the boot record and Espruino read are never shortened', () => {
  const shortened = KEPT_PROPERTIES.filter((name) => MANGLED_PROPERTIES.test(name));
  assert.deepEqual(shortened, []);
});

const dir = mkdtempSync(join(tmpdir(), 'fs-budget-'));
const porch = JSON.parse(
  readFileSync(repoPath('hardware', 'devices', 'esp8266-porch.json'), 'utf8'),
);
const garden = JSON.parse(
  readFileSync(repoPath('hardware', 'devices', 'esp32-garden.json'), 'utf8'),
);
/** The porch with an outbox no ESP8266 can hold (3,000 messages). */
const tooBig = join(dir, 'porch-too-big.json');
writeFileSync(tooBig, JSON.stringify({ ...porch, bufferSize: 3000 }));
/** The garden with its old 500-message outbox: over the budget, inside an ESP32's 16,383. */
const overBudget = join(dir, 'garden-500.json');
writeFileSync(overBudget, JSON.stringify({ ...garden, bufferSize: 500 }));

test('the build refuses a bundle over the board memory, and warns over the budget', async () => {
  await assert.rejects(
    buildEspruinoBundle({ config: loadDeviceConfig(tooBig) }),
    /esp8266-porch: the bundle needs about \d+ variables at steady state \(.*outbox \d+.*\), more than the ESP8266 .* has \(1700\)\. Give it a smaller bufferSize \(3000 messages cost \d+\)/,
  );
  const bundle = await buildEspruinoBundle({ config: loadDeviceConfig(overBudget) });
  assert.ok(bundle.vars.total > 900 && bundle.vars.total < 16383, String(bundle.vars.total));
  assert.ok(
    bundle.warnings.some((w) => /over the 900-variable budget/.test(w)),
    bundle.warnings.join('\n'),
  );
});

const BIN = repoPath('bin', 'fullstack.js');
const cli = (...args: string[]) =>
  spawnSync(process.execPath, [BIN, ...args], { cwd: REPO_ROOT, encoding: 'utf8' });

test('fullstack build and flash exit 1 when the bundle would not fit the board', () => {
  const out = join(dir, 'out.bundle.js');
  const build = cli('build', tooBig, '--target', 'espruino', '--out', out);
  assert.equal(build.status, 1, build.stderr);
  assert.match(build.stderr, /more than the ESP8266 .* has \(1700\)/);
  // Refused before any port is looked for.
  const flash = cli('flash', tooBig, '--port', '/dev/fs-no-such-port');
  assert.equal(flash.status, 1, flash.stderr);
  assert.match(flash.stderr, /more than the ESP8266 .* has \(1700\)/);
  const fits = cli('build', overBudget, '--target', 'espruino', '--out', out);
  assert.equal(fits.status, 0, fits.stderr);
  assert.match(fits.stdout, /OVER BUDGET/);
  assert.match(fits.stdout, /warning: about \d+ variables at steady state, over the 900/);
});

test.after(() => rmSync(dir, { recursive: true, force: true }));

test.run();
