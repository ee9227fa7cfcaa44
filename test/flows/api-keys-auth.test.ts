/** API keys (hashed, verified, revoked) and the editor login (bcrypt, checkExposure). */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import {
  checkExposure,
  isLoopback,
  readAdminAuth,
  setAdminPassword,
  verifyAdminPassword,
} from '../../flows/lib/admin-auth.js';
import {
  ApiKeyVerifier,
  createApiKey,
  readKeyFile,
  revokeApiKey,
} from '../../flows/lib/api-keys.js';

function withDir(fn: (dir: string) => void): void {
  const dir = mkdtempSync(join(tmpdir(), 'fs-keys-'));
  try {
    fn(dir);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

test('a created key verifies; the file holds only its hash; revoking refuses it', () =>
  withDir((dir) => {
    const file = join(dir, 'keys.json');
    const { key, record } = createApiKey(file, 'dash board');
    assert.match(key, /^fsk_[0-9a-f]{8}_[A-Za-z0-9_-]{43}$/);
    assert.not.match(readFileSync(file, 'utf8'), new RegExp(key.split('_')[2] as string));
    assert.equal(readKeyFile(file), [record]);
    const verifier = new ApiKeyVerifier(file);
    assert.equal(verifier.check(`Bearer ${key}`), { ok: true, name: 'dash board' });
    assert.match((verifier.check(undefined) as { detail: string }).detail, /missing Authorization/);
    assert.match(
      (verifier.check(`Basic ${key}`) as { detail: string }).detail,
      /not "Bearer <key>"/,
    );
    assert.match((verifier.check('Bearer fsk_zz') as { detail: string }).detail, /not of the form/);
    assert.match((verifier.check('Bearer sk-123') as { detail: string }).detail, /not of the form/);
    // Of the form fsk_<id>_<secret>, just not a key we issued: unknown, not malformed.
    for (const wrong of [
      'fsk_2e7c9d1a_wrongwrong',
      `${key.slice(0, 13)}short`,
      `fsk_ffffffff_${'A'.repeat(43)}`,
    ]) {
      assert.equal(verifier.check(`Bearer ${wrong}`), {
        ok: false,
        detail: 'unknown or revoked API key',
      });
    }
    assert.ok(revokeApiKey(file, 'dash board'));
    assert.equal(verifier.check(`Bearer ${key}`), {
      ok: false,
      detail: 'unknown or revoked API key',
    });
    assert.not.ok(revokeApiKey(file, 'dash board'));
  }));

test('key names are validated and unique', () =>
  withDir((dir) => {
    const file = join(dir, 'keys.json');
    assert.throws(() => createApiKey(file, ''), /is not allowed/);
    assert.throws(() => createApiKey(file, 'a/b'), /is not allowed/);
    createApiKey(file, 'one');
    assert.throws(() => createApiKey(file, 'one'), /already exists/);
  }));

test('the editor password is stored as a bcrypt hash and verifies', () =>
  withDir((dir) => {
    assert.throws(() => setAdminPassword(dir, 'admin', 'short'), /at least 8 are required/);
    assert.throws(() => setAdminPassword(dir, 'bad user', 'long enough'), /user name "bad user"/);
    setAdminPassword(dir, 'admin', 'long enough');
    const auth = readAdminAuth(dir);
    assert.match(auth?.passwordHash ?? '', /^\$2[aby]\$10\$/);
    assert.ok(auth && verifyAdminPassword(auth, 'long enough'));
    assert.not.ok(auth && verifyAdminPassword(auth, 'wrong one!'));
  }));

test('checkExposure: loopback always, beyond it only with a login', () =>
  withDir((dir) => {
    for (const host of ['127.0.0.1', 'localhost', '::1', '[::1]', '127.1.2.3'])
      assert.ok(isLoopback(host), host);
    assert.equal(checkExposure('127.0.0.1', dir), { ok: true, protected: false });
    const refused = checkExposure('0.0.0.0', dir);
    assert.not.ok(refused.ok);
    if (!refused.ok) assert.match(refused.message, /fullstack nodered password --data-dir/);
    assert.not.ok(checkExposure('192.168.1.5', dir).ok);
    setAdminPassword(dir, 'admin', 'long enough');
    assert.equal(checkExposure('0.0.0.0', dir), { ok: true, protected: true });
  }));

test.run();
