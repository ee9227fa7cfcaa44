/** `fullstack apikey` and `fullstack nodered`, run through commander as the CLI runs them. */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Command } from 'commander';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { register as apikey } from '../../cli/commands/apikey.js';
import { register as nodered } from '../../cli/commands/nodered.js';
import { readAdminAuth, verifyAdminPassword } from '../../flows/lib/admin-auth.js';
import { ApiKeyVerifier } from '../../flows/lib/api-keys.js';

async function run(args: string[]): Promise<{ out: string[]; error?: Error }> {
  const program = new Command('fullstack').exitOverride();
  program.configureOutput({ writeOut: () => undefined, writeErr: () => undefined });
  apikey(program);
  nodered(program);
  const out: string[] = [];
  const log = console.log;
  const err = console.error;
  console.log = (...parts: unknown[]) => out.push(parts.join(' '));
  console.error = () => undefined;
  try {
    await program.parseAsync(['node', 'fullstack', ...args]);
    return { out };
  } catch (error) {
    return { out, error: error as Error };
  } finally {
    console.log = log;
    console.error = err;
  }
}

function withDir(fn: (dir: string) => Promise<void>): () => Promise<void> {
  return async () => {
    const dir = mkdtempSync(join(tmpdir(), 'fs-cli-'));
    try {
      await fn(dir);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  };
}

test(
  'apikey create prints a working key once; list shows names, never keys; revoke removes it',
  withDir(async (dir) => {
    const created = await run(['apikey', 'create', 'reports', '--data-dir', dir]);
    const key = created.out[0] ?? '';
    assert.ok(new ApiKeyVerifier(join(dir, 'api-keys.json')).check(`Bearer ${key}`).ok);
    const listed = await run(['apikey', 'list', '--data-dir', dir]);
    assert.match(listed.out.join('\n'), /^reports\t[0-9a-f]{8}\t/);
    assert.not.match(listed.out.join('\n'), new RegExp(key));
    const again = await run(['apikey', 'create', 'reports', '--data-dir', dir]);
    assert.match(again.error?.message ?? '', /already exists/);
    await run(['apikey', 'revoke', 'reports', '--data-dir', dir]);
    assert.not.ok(new ApiKeyVerifier(join(dir, 'api-keys.json')).check(`Bearer ${key}`).ok);
    const missing = await run(['apikey', 'revoke', 'reports', '--data-dir', dir]);
    assert.match(missing.error?.message ?? '', /no API key named "reports"/);
  }),
);

test(
  'nodered password --generate prints a password that the stored hash accepts',
  withDir(async (dir) => {
    const { out } = await run([
      'nodered',
      'password',
      '--generate',
      '--user',
      'ops',
      '--data-dir',
      dir,
    ]);
    const auth = readAdminAuth(dir);
    assert.is(auth?.username, 'ops');
    assert.ok(auth && verifyAdminPassword(auth, out[0] ?? ''));
    const both = await run([
      'nodered',
      'password',
      '--generate',
      '--password-stdin',
      '--data-dir',
      dir,
    ]);
    assert.match(both.error?.message ?? '', /not both/);
  }),
);

test(
  'nodered save-flows writes an edited shipped unit back into its flows file',
  withDir(async (dir) => {
    const { saveFlowsBack } = await import('../../flows/lib/save-flows.js');
    const shippedDir = join(dir, 'shipped');
    const userDir = join(dir, 'data', 'node-red');
    const { mkdirSync } = await import('node:fs');
    mkdirSync(shippedDir, { recursive: true });
    mkdirSync(userDir, { recursive: true });
    const tab = [
      { id: 't', type: 'tab', label: 'x' },
      { id: 'n', type: 'inject', z: 't', name: 'old' },
    ];
    writeFileSync(join(shippedDir, 'a.json'), JSON.stringify(tab));
    const edited = [tab[0], { ...tab[1], name: 'new' }, { id: 'mine', type: 'tab' }];
    writeFileSync(join(userDir, 'flows.json'), JSON.stringify(edited));
    assert.throws(
      () => saveFlowsBack(join(dir, 'nowhere'), { dryRun: true, shippedDir }),
      /no Node-RED flows at .*start `fullstack up/,
    );
    assert.equal(saveFlowsBack(join(dir, 'data'), { dryRun: true, shippedDir }), ['a.json: t']);
    assert.match(readFileSync(join(shippedDir, 'a.json'), 'utf8'), /"old"/);
    saveFlowsBack(join(dir, 'data'), { dryRun: false, shippedDir });
    const saved = JSON.parse(readFileSync(join(shippedDir, 'a.json'), 'utf8')) as Array<{
      id: string;
      name?: string;
    }>;
    assert.equal(
      saved.map((n) => [n.id, n.name]),
      [
        ['t', undefined],
        ['n', 'new'],
      ],
    );
  }),
);

test.run();
