/**
 * Everything under firmware/core/ goes into the Espruino bundle, so every file must stay within
 * what the Espruino interpreter accepts. Each file is compiled from TypeScript without lowering
 * (target esnext, so a forbidden construct in the source survives) and run through the Espruino
 * syntax check; so is the whole core bundled together.
 */
import * as assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { build, transformSync } from 'esbuild';
import { suite } from 'uvu';
import { ESPRUINO_ESBUILD } from '../../firmware/espruino/build.js';
import {
  checkEspruinoSyntax,
  formatEspruinoSyntaxProblems,
} from '../../firmware/espruino/syntax-check.js';
import { repoPath } from '../../lib/paths.js';

const CORE = repoPath('firmware', 'core');

function tsFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return tsFiles(path);
    return name.endsWith('.ts') ? [path] : [];
  });
}

const test = suite('core is Espruino-safe');

/** The Espruino target's files that go into the bundle (not the build tooling beside them). */
const BUNDLED_ESPRUINO = ['main.ts', 'io.ts', 'mqtt-client.ts', 'espruino-globals.ts'].map((f) =>
  repoPath('firmware', 'espruino', f),
);

test('every core file, and every bundled Espruino file, passes the Espruino syntax check', () => {
  const files = [...tsFiles(CORE), ...BUNDLED_ESPRUINO];
  assert.ok(files.length > 8, `found ${files.length} core files`);
  for (const file of files) {
    const js = transformSync(readFileSync(file, 'utf8'), {
      loader: 'ts',
      format: 'cjs',
      target: 'esnext',
      // As in the Espruino build: esbuild would otherwise turn Math.pow(a, b) into a ** b.
      supported: ESPRUINO_ESBUILD.supported,
    }).code;
    const problems = checkEspruinoSyntax(js, relative(repoPath(), file));
    assert.equal(problems.length, 0, formatEspruinoSyntaxProblems(problems));
  }
});

test('the core bundled with every driver passes, and the check does catch a forbidden construct', async () => {
  const result = await build({
    stdin: {
      contents:
        "export * from './runtime.js'; export * from './drivers/index.js'; export * from './plan.js';",
      resolveDir: CORE,
      loader: 'ts',
    },
    bundle: true,
    format: 'iife',
    target: 'esnext',
    // esbuild rewrites Math.pow(a, b) as a ** b when the target has **; Espruino does not.
    supported: ESPRUINO_ESBUILD.supported,
    write: false,
    logLevel: 'silent',
  });
  const code = result.outputFiles[0]!.text;
  assert.deepEqual(checkEspruinoSyntax(code, 'core.bundle.js'), []);
  const spoiled = `${code}\nconst { a } = { a: 1 };`;
  assert.equal(checkEspruinoSyntax(spoiled, 'core.bundle.js')[0]?.feature, 'destructuring');
});

test.run();
