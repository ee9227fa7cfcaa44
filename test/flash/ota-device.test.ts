/** The device side of OTA on its own: receiver and boot guard over a directory store. */
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { build } from 'esbuild';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { checkEspruinoSyntax } from '../../firmware/espruino/syntax-check.js';
import { bootFromRecord } from '../../firmware/ota/boot-guard.js';
import { FileSlotStore } from '../../firmware/ota/file-slots.js';
import { createOtaCommands } from '../../firmware/ota/receiver.js';
import { planChunks, sha256Hex } from '../../firmware/ota/sender.js';
import { ManualClock } from '../../lib/clock.js';

let dir: string;
let store: FileSlotStore;
let restarts = 0;
const OLD = Buffer.from('console.log("old");\n');
const NEW = Buffer.from('console.log("new firmware");\n'.repeat(40));

function receiver(trialMs = 5000) {
  return createOtaCommands<Buffer>({
    store,
    decodeBase64: (t) => Buffer.from(t, 'base64'),
    sha256Hex: (b) => createHash('sha256').update(b).digest('hex'),
    byteLength: (b) => b.length,
    now: () => 1000,
    trialMs,
    restart: () => {
      restarts++;
    },
  });
}

test.before.each(() => {
  dir = mkdtempSync(join(tmpdir(), 'fullstack-otadev-'));
  store = new FileSlotStore(dir);
  store.install(OLD, 'old-1');
  restarts = 0;
});
test.after.each(() => rmSync(dir, { recursive: true, force: true }));

function transfer(commands: ReturnType<typeof receiver>, image: Buffer, fw = 'new-2') {
  const chunks = planChunks(image, 256);
  const begin = commands['ota-begin']!('b', {
    fw,
    size: image.length,
    sha256: sha256Hex(image),
    chunks: chunks.length,
    chunkBytes: 256,
  });
  assert.ok(begin.ack.ok, JSON.stringify(begin.ack));
  return chunks;
}

test('chunks go to the inactive slot; the commit records a trial and restarts after its ack', () => {
  const commands = receiver();
  for (const chunk of transfer(commands, NEW)) {
    assert.ok(commands['ota-chunk']!('c', { ...chunk }).ack.ok);
  }
  const commit = commands['ota-commit']!('k', { sha256: sha256Hex(NEW) });
  assert.equal(commit.ack, {
    id: 'k',
    ok: true,
    result: { slot: 'b', fw: 'new-2', trialMs: 5000 },
  });
  assert.is(restarts, 0, 'not before the ack is sent');
  commit.after!();
  assert.is(restarts, 1);
  assert.ok(store.readSlot('b')!.equals(NEW));
  assert.equal(store.readRecord(), {
    slot: 'b',
    fw: 'new-2',
    size: NEW.length,
    sha256: sha256Hex(NEW),
    trial: { since: 1000, trialMs: 5000 },
    previous: 'a',
    previousFw: 'old-1',
    previousSize: OLD.length,
  });
});

test('refusals: a chunk with a wrong hash, out of order, a commit before the end, bad args', () => {
  const commands = receiver();
  const chunks = transfer(commands, NEW);
  const tampered = { ...chunks[0]!, data: Buffer.from('evil').toString('base64') };
  const refused = commands['ota-chunk']!('c0', tampered).ack;
  assert.is(refused.ok, false);
  assert.match(
    refused.ok ? '' : refused.error,
    /^ota-chunk 0 refused: sha256 mismatch .*nothing written, resend it$/,
  );
  const skipped = commands['ota-chunk']!('c1', { ...chunks[1]! }).ack;
  assert.match(skipped.ok ? '' : skipped.error, /out of order: expected chunk 0/);
  const early = commands['ota-commit']!('k', { sha256: sha256Hex(NEW) }).ack;
  assert.match(early.ok ? '' : early.error, /received 0 of \d+ chunks/);
  const bad = commands['ota-begin']!('b', { fw: '', size: -1 }).ack;
  assert.match(bad.ok ? '' : bad.error, /bad value for args\.fw/);
  assert.equal(store.readRecord(), { slot: 'a', fw: 'old-1', size: OLD.length });
});

test('a resent chunk (its ack was lost) is acknowledged without writing twice', () => {
  const commands = receiver();
  const chunks = transfer(commands, NEW);
  assert.ok(commands['ota-chunk']!('c', { ...chunks[0]! }).ack.ok);
  const again = commands['ota-chunk']!('c', { ...chunks[0]! }).ack;
  assert.equal(again, { id: 'c', ok: true, result: { index: 0, received: 256 } });
});

test('the guard confirms a trial on birth, and rolls back without one', () => {
  const clock = new ManualClock();
  const commands = receiver(3000);
  for (const chunk of transfer(commands, NEW)) commands['ota-chunk']!('c', { ...chunk });
  commands['ota-commit']!('k', { sha256: sha256Hex(NEW) });
  const started: string[] = [];
  const boot = () =>
    bootFromRecord({
      store,
      clock,
      start: (record) => started.push(record.fw),
      restart: () => {
        restarts++;
      },
      log: () => undefined,
    });
  const trial = boot();
  assert.is(trial.state(), 'trial');
  clock.advance(2999);
  trial.confirm();
  clock.advance(10_000);
  assert.is(trial.state(), 'confirmed');
  assert.is(store.readRecord()!.trial, undefined);
  // A second update that never confirms:
  const again = receiver(3000);
  for (const chunk of transfer(again, OLD, 'broken-3')) again['ota-chunk']!('c', { ...chunk });
  again['ota-commit']!('k', { sha256: sha256Hex(OLD) });
  const before = restarts;
  const doomed = boot();
  clock.advance(3000);
  assert.is(doomed.state(), 'rolling-back');
  assert.is(restarts, before + 1);
  const record = store.readRecord()!;
  assert.is(record.fw, 'new-2');
  assert.is(record.slot, 'b');
  assert.equal(record.rolledBack, {
    fw: 'broken-3',
    reason: 'no birth within 3000 ms',
    at: 3000 + 2999 + 10_000,
  });
  assert.equal(started, ['new-2', 'broken-3']);
});

test('a firmware that throws at start during its trial is rolled back at once', () => {
  const clock = new ManualClock();
  const commands = receiver();
  for (const chunk of transfer(commands, NEW)) commands['ota-chunk']!('c', { ...chunk });
  commands['ota-commit']!('k', { sha256: sha256Hex(NEW) });
  const guard = bootFromRecord({
    store,
    clock,
    start: () => {
      throw new Error('ReferenceError: x is not defined');
    },
    restart: () => undefined,
    log: () => undefined,
  });
  assert.is(guard.state(), 'rolling-back');
  assert.match(store.readRecord()!.rolledBack!.reason, /threw at start: Error: ReferenceError/);
  assert.is(store.readRecord()!.slot, 'a');
});

test('the device-side OTA modules pass the Espruino syntax check once bundled', async () => {
  for (const file of ['receiver', 'boot-guard']) {
    const result = await build({
      entryPoints: [join(import.meta.dirname, '..', '..', 'firmware', 'ota', `${file}.ts`)],
      bundle: true,
      write: false,
      format: 'iife',
      target: 'es2020',
      logLevel: 'silent',
    });
    assert.equal(checkEspruinoSyntax(result.outputFiles[0]!.text, `${file}.js`), [], file);
  }
});

test.run();
