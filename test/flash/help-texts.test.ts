/**
 * What the flashing commands tell the user: a config that is not for an Espruino is pointed to
 * what to do instead; help texts name configs that ship, show defaults, and list only options
 * that do something (uninstall's: test/flash/install.test.ts).
 */
import { execFile } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { type FlashCommandContext, runFlash } from '../../cli/commands/flash.js';
import { bundleFromConfig } from '../../firmware/flash/bundle-source.js';
import { FlashError } from '../../firmware/flash/errors.js';
import { silentProgress } from '../../firmware/flash/progress.js';
import { VirtualEspruinoPorts } from '../../hardware/virtual/espruino/mock-port.js';
import { systemClock } from '../../lib/clock.js';
import { repoPath } from '../../lib/paths.js';

const shipped = (id: string) => repoPath('hardware', 'devices', `${id}.json`);

/** The real config builder; no port is ever opened for these configs. */
function context(): FlashCommandContext {
  return {
    binding: new VirtualEspruinoPorts(),
    clock: systemClock,
    progress: silentProgress,
    buildConfig: bundleFromConfig,
    write: () => assert.unreachable('nothing is flashed'),
  };
}

async function flashError(config: string): Promise<FlashError> {
  try {
    await runFlash(context(), { config });
  } catch (error) {
    assert.instance(error, FlashError);
    return error as FlashError;
  }
  throw new Error('expected a FlashError');
}

test('flash of an Uno config points to --board uno, not to a build target', async () => {
  const error = await flashError(shipped('uno-bench'));
  assert.is(error.kind, 'not-espruino-config');
  assert.match(
    error.message,
    /^uno-bench runs on an Arduino Uno R3 \(node-firmata\): it is not flashed with a bundle\.$/,
  );
  assert.match(error.hint, /`fullstack flash --board uno --port P`/);
  assert.not.match(error.describe(), /--target/);
});

test('flash of a Pi config points to install on the Pi', async () => {
  const error = await flashError(shipped('pi-lab'));
  assert.match(error.message, /^pi-lab runs on a Raspberry Pi 4 Model B \(node-raspi\)/);
  assert.match(error.hint, /sudo fullstack install --device .*pi-lab\.json/);
});

const help = (...args: string[]) =>
  new Promise<string>((resolve, reject) => {
    execFile(
      process.execPath,
      [repoPath('bin', 'fullstack.js'), ...args, '--help'],
      { timeout: 60_000 },
      (error, stdout) => (error ? reject(error) : resolve(stdout)),
    );
  });

test('help texts and docs name only device configs that ship', async () => {
  const texts = {
    'flash --help': await help('flash'),
    'ota --help': await help('ota'),
    'install --help': await help('install'),
    'cli/commands/flash.ts': readFileSync(repoPath('cli', 'commands', 'flash.ts'), 'utf8'),
    'cli/commands/ota.ts': readFileSync(repoPath('cli', 'commands', 'ota.ts'), 'utf8'),
    'docs/flashing.md': readFileSync(repoPath('docs', 'flashing.md'), 'utf8'),
  };
  let named = 0;
  for (const [where, text] of Object.entries(texts)) {
    for (const [path] of text.matchAll(/hardware\/devices\/[\w.-]+\.json/g)) {
      named++;
      assert.ok(existsSync(repoPath(path)), `${where} names ${path}, which does not exist`);
    }
  }
  assert.ok(named >= 5, `${named} config paths named`);
});

test('flash --help shows the --chunk-bytes default', async () => {
  assert.match(
    await help('flash'),
    /--chunk-bytes <n>\s+bytes per upload chunk \(16 to 4096\)\s+\(default: 384\)/,
  );
});

test.run();
