/**
 * The bundle's last minification, after esbuild: terser, UglifyJS, and the early vars
 * declared first (hoist-vars.ts). build.ts calls squeeze().
 */
import { createRequire } from 'node:module';
import { type MinifyOptions, minify as terser } from 'terser';
import { hoistEarlyVars } from './hoist-vars.js';

/**
 * Two more minifiers after esbuild, which does one pass and never renames the IIFE's top-level
 * names: terser first (it turns function expressions that use no `this` into arrows,
 * `unsafe_arrows`, which Espruino runs), then UglifyJS's compressor with several passes and
 * top-level mangling, which still finds more after terser. Together they take about 19 % off
 * esbuild's output, 80 bytes more than UglifyJS alone (measured on the shipped configs; terser
 * alone is 5 % larger than UglifyJS alone). Neither is told to assume operands are never NaN
 * (`unsafe_comps`) or to reassociate float arithmetic (`unsafe_math`): the bundle compares
 * values that may be NaN, and the BME280 compensation is float arithmetic. Output is ES2019 (the
 * syntax check in build.ts proves it).
 */
const uglify = createRequire(import.meta.url)('uglify-js') as {
  minify(
    code: string | Record<string, string>,
    options: Record<string, unknown>,
  ): { code?: string; map?: string; error?: { message: string } };
};
export const TERSER_OPTIONS: MinifyOptions = {
  ecma: 2019,
  toplevel: true,
  compress: { passes: 5, unsafe: true, unsafe_arrows: true, pure_getters: true },
  mangle: true,
  format: { ascii_only: true },
};
export const UGLIFY_OPTIONS = {
  compress: {
    passes: 5,
    unsafe: true,
    toplevel: true,
    pure_getters: true,
    hoist_funs: true,
    // Nothing reads a function's length.
    keep_fargs: false,
  },
  mangle: { toplevel: true },
  // ASCII only: the flasher writes the file's bytes to Storage, and a byte string must stay
  // one byte per character (the credentials and Wi-Fi settings are UTF-8 bytes already, utf8Bytes).
  output: { ascii_only: true },
};

export interface Squeezed {
  code: string;
  /** With esbuild's map given: the code before hoisting and its source map. */
  mapped?: { code: string; map: string };
}

/** esbuild's minified bundle through terser, then UglifyJS (see above). Given esbuild's source
 *  map, the map is carried through both, for the build's bytes per source file (--explain). */
export async function squeeze(code: string, where: string, map?: string): Promise<Squeezed> {
  const tersed = await terser(
    { 'bundle.js': code },
    map === undefined ? TERSER_OPTIONS : { ...TERSER_OPTIONS, sourceMap: { content: map } },
  ).catch((error: Error) => {
    throw new Error(`terser failed on the ${where} bundle: ${error.message}`);
  });
  if (tersed.code === undefined) throw new Error(`terser gave no code for the ${where} bundle`);
  const tersedMap = typeof tersed.map === 'string' ? tersed.map : undefined;
  const squeezed = uglify.minify(
    { 'bundle.js': tersed.code },
    tersedMap === undefined
      ? UGLIFY_OPTIONS
      : { ...UGLIFY_OPTIONS, sourceMap: { content: tersedMap } },
  );
  if (squeezed.error || squeezed.code === undefined)
    throw new Error(`uglify-js failed on the ${where} bundle: ${squeezed.error?.message}`);
  // UglifyJS inlines functions used once and declares their parameters as vars after the code
  // that uses them, relying on hoisting, which Espruino does not do (checkDeclarationOrder):
  // those names are declared again at the top of their function. Its own hoist_vars or no
  // inlining would cost 50 to 110 variables (more functions alive).
  const hoisted = hoistEarlyVars(squeezed.code);
  if (squeezed.map === undefined) return { code: hoisted };
  return { code: hoisted, mapped: { code: squeezed.code, map: squeezed.map } };
}
