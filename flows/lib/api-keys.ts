/**
 * API keys for the REST API. A key is `fsk_<id>_<secret>` (the id finds the record, the 256-bit
 * secret proves it). Only a SHA-256 of the whole key is stored: a slow password hash (bcrypt)
 * protects guessable passwords, and these are random, so a fast hash is as safe and lets every
 * request be checked cheaply.
 */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';

export interface ApiKeyRecord {
  id: string;
  name: string;
  hash: string;
  created: string;
}

interface KeyFile {
  version: 1;
  keys: ApiKeyRecord[];
}

const NAME_PATTERN = /^[A-Za-z0-9][A-Za-z0-9 ._-]{0,63}$/;
const KEY_PATTERN = /^fsk_([0-9a-f]{8})_([A-Za-z0-9_-]{43})$/;
/** The shape of a key, looser than KEY_PATTERN: a key of this shape that fails KEY_PATTERN is
 * one we never issued (a wrong or mistyped key), not a malformed header. */
const KEY_FORM = /^fsk_[^_\s]+_\S+$/;

const sha256 = (text: string): string => createHash('sha256').update(text).digest('hex');

export function readKeyFile(file: string): ApiKeyRecord[] {
  if (!existsSync(file)) return [];
  const parsed = JSON.parse(readFileSync(file, 'utf8')) as KeyFile;
  if (parsed.version !== 1 || !Array.isArray(parsed.keys)) {
    throw new Error(`${file}: expected {"version": 1, "keys": [...]}`);
  }
  return parsed.keys;
}

function writeKeyFile(file: string, keys: ApiKeyRecord[]): void {
  mkdirSync(dirname(file), { recursive: true });
  const temp = `${file}.tmp`;
  writeFileSync(temp, `${JSON.stringify({ version: 1, keys }, null, 2)}\n`, { mode: 0o600 });
  renameSync(temp, file);
}

/** Creates a key named `name`; returns the key itself, which is shown once and never stored. */
export function createApiKey(
  file: string,
  name: string,
  now = new Date(),
): { key: string; record: ApiKeyRecord } {
  if (!NAME_PATTERN.test(name)) {
    throw new Error(
      `key name "${name}" is not allowed: use 1 to 64 letters, digits, spaces, dots, dashes or underscores, starting with a letter or digit`,
    );
  }
  const keys = readKeyFile(file);
  if (keys.some((k) => k.name === name)) throw new Error(`a key named "${name}" already exists`);
  const id = randomBytes(4).toString('hex');
  const key = `fsk_${id}_${randomBytes(32).toString('base64url')}`;
  const record: ApiKeyRecord = { id, name, hash: sha256(key), created: now.toISOString() };
  writeKeyFile(file, [...keys, record]);
  return { key, record };
}

export function revokeApiKey(file: string, name: string): boolean {
  const keys = readKeyFile(file);
  const kept = keys.filter((k) => k.name !== name);
  if (kept.length === keys.length) return false;
  writeKeyFile(file, kept);
  return true;
}

export type KeyCheck = { ok: true; name: string } | { ok: false; detail: string };

/** Checks keys against the file, re-reading it when it changed (keys made while running work). */
export class ApiKeyVerifier {
  private cache: { mtimeMs: number; keys: ApiKeyRecord[] } | undefined;

  constructor(private readonly file: string) {}

  check(authorization: string | undefined): KeyCheck {
    if (!authorization)
      return { ok: false, detail: 'missing Authorization header (expected "Bearer <key>")' };
    const match = /^Bearer\s+(\S+)$/i.exec(authorization.trim());
    if (!match) return { ok: false, detail: 'Authorization header is not "Bearer <key>"' };
    const key = match[1] as string;
    if (!KEY_FORM.test(key))
      return { ok: false, detail: 'the API key is not of the form fsk_<id>_<secret>' };
    const parts = KEY_PATTERN.exec(key);
    const record = parts ? this.keys().find((k) => k.id === parts[1]) : undefined;
    const expected = Buffer.from(record?.hash ?? sha256('no such key'), 'hex');
    const actual = Buffer.from(sha256(key), 'hex');
    if (!record || !timingSafeEqual(expected, actual))
      return { ok: false, detail: 'unknown or revoked API key' };
    return { ok: true, name: record.name };
  }

  private keys(): ApiKeyRecord[] {
    if (!existsSync(this.file)) return [];
    const { mtimeMs } = statSync(this.file);
    if (!this.cache || this.cache.mtimeMs !== mtimeMs)
      this.cache = { mtimeMs, keys: readKeyFile(this.file) };
    return this.cache.keys;
  }
}
