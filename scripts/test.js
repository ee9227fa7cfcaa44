#!/usr/bin/env node
// The whole check: lint, type check and build, then every uvu suite, each in its own process.
// uvu prints a summary per process but no total that CI can read, so this script sums them
// and ends with one line `N passed, N failed, N skipped` (a lint or type failure counts as one).
//
// Usage: npm test [-- <substring>...]   (only the suites whose path contains a substring)
import { spawn } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const filters = process.argv.slice(2);
const SUITE_TIMEOUT_MS = 6 * 60_000;
// A suite that printed uvu's summary but does not exit has left a handle open (a socket, a
// timer): that is a bug worth failing for, and no reason to wait out the whole timeout.
const EXIT_AFTER_SUMMARY_MS = 15_000;
const PARALLEL = 2;

function findSuites(dir) {
  const found = [];
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) {
      if (name !== 'fixtures') found.push(...findSuites(path));
    } else if (name.endsWith('.test.ts')) {
      found.push(relative(root, path));
    }
  }
  return found.sort();
}

function run(command, args, timeoutMs = SUITE_TIMEOUT_MS) {
  return new Promise((resolve) => {
    const started = Date.now();
    const child = spawn(command, args, {
      cwd: root,
      env: { ...process.env, FORCE_COLOR: '0' },
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: true,
    });
    let output = '';
    const kill = (why) => {
      output += `\n[test runner] ${why}; killed\n`;
      try {
        process.kill(-child.pid, 'SIGKILL');
      } catch {
        // already gone: nothing to kill
      }
    };
    let lingerTimer;
    const onData = (d) => {
      output += d;
      if (!lingerTimer && /Duration:\s/.test(output)) {
        lingerTimer = setTimeout(
          () =>
            kill(
              `did not exit ${EXIT_AFTER_SUMMARY_MS / 1000}s after its summary (an open handle)`,
            ),
          EXIT_AFTER_SUMMARY_MS,
        );
      }
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    const timer = setTimeout(() => kill(`timed out after ${timeoutMs / 1000}s`), timeoutMs);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      clearTimeout(lingerTimer);
      resolve({ code: code ?? (signal ? 1 : 0), output, ms: Date.now() - started });
    });
  });
}

/** uvu ends each run with "Total: N / Passed: N / Skipped: N". */
function summarize(output, code) {
  const total = Number(/Total:\s+(\d+)/.exec(output)?.[1] ?? NaN);
  const passed = Number(/Passed:\s+(\d+)/.exec(output)?.[1] ?? NaN);
  const skipped = Number(/Skipped:\s+(\d+)/.exec(output)?.[1] ?? 0);
  if (Number.isNaN(total) || Number.isNaN(passed)) return { passed: 0, failed: 1, skipped: 0 };
  const failed = total - passed - skipped;
  // A suite whose tests passed but whose process failed (a crash after the run) still fails.
  return { passed, failed: failed === 0 && code !== 0 ? 1 : failed, skipped };
}

const totals = { passed: 0, failed: 0, skipped: 0 };
function record(name, result, counts) {
  totals.passed += counts.passed;
  totals.failed += counts.failed;
  totals.skipped += counts.skipped;
  const mark = counts.failed > 0 ? 'FAIL' : 'ok  ';
  const extra = counts.skipped ? `, ${counts.skipped} skipped` : '';
  if (counts.failed > 0 || process.env.VERBOSE)
    process.stdout.write(`${result.output.trimEnd()}\n`);
  console.log(
    `${mark} ${name}: ${counts.passed} passed, ${counts.failed} failed${extra} (${(result.ms / 1000).toFixed(1)}s)`,
  );
}

async function check(name, command, args) {
  const result = await run(command, args);
  record(
    name,
    result,
    result.code === 0 ? { passed: 1, failed: 0, skipped: 0 } : { passed: 0, failed: 1, skipped: 0 },
  );
}

const bin = (name) => join(root, 'node_modules', '.bin', name);
await check('lint (biome)', bin('biome'), ['check', '.']);
await check('typecheck + build (tsc)', 'npm', ['run', '--silent', 'build']);

const suites = findSuites(join(root, 'test')).filter(
  (s) => filters.length === 0 || filters.some((f) => s.includes(f)),
);
// End-to-end suites start whole systems (Node-RED, a browser): one at a time, after the rest.
const serial = suites.filter((s) => s.includes('/e2e/'));
const parallel = suites.filter((s) => !s.includes('/e2e/'));

async function runSuite(suite) {
  const result = await run(process.execPath, ['--import', 'tsx', suite]);
  record(suite, result, summarize(result.output, result.code));
}

const queue = [...parallel];
await Promise.all(
  Array.from({ length: PARALLEL }, async () => {
    while (queue.length) await runSuite(queue.shift());
  }),
);
for (const suite of serial) await runSuite(suite);

console.log(`\n${totals.passed} passed, ${totals.failed} failed, ${totals.skipped} skipped`);
process.exitCode = totals.failed > 0 ? 1 : 0;
