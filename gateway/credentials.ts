/**
 * Device and service credentials, stored hashed (scrypt, random salt per entry) in
 * `<dataDir>/credentials.json`. `fullstack provision` writes it while a gateway may be running,
 * so the gateway re-reads it when its modification time changes.
 */
import { createHash, randomBytes, scrypt, timingSafeEqual } from 'node:crypto';
import {
  chmodSync,
  existsSync,
  mkdirSync,
  readFileSync,
  renameSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { join } from 'node:path';
import { DEVICE_ID_PATTERN } from '../contract/index.js';

const SCRYPT = { N: 16384, r: 8, p: 1, keylen: 32 } as const;

interface HashedSecret {
  salt: string;
  hash: string;
  created: number;
}

interface CredentialsFile {
  version: 1;
  devices: Record<string, HashedSecret>;
  services: Record<string, HashedSecret>;
}

/** Who a client is, once authenticated. Services use usernames devices cannot have (a colon). */
export type Identity =
  | { kind: 'device'; deviceId: string }
  | { kind: 'service'; name: string }
  | { kind: 'anonymous' };

export const SERVICE_PREFIX = 'svc:';

export interface IssuedCredential {
  username: string;
  password: string;
}

function hashSecret(password: string, salt: Buffer): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    scrypt(password, salt, SCRYPT.keylen, { N: SCRYPT.N, r: SCRYPT.r, p: SCRYPT.p }, (err, key) =>
      err ? reject(err) : resolve(key),
    );
  });
}

async function makeSecret(password: string, now: number): Promise<HashedSecret> {
  const salt = randomBytes(16);
  const hash = await hashSecret(password, salt);
  return { salt: salt.toString('base64'), hash: hash.toString('base64'), created: now };
}

export function newPassword(): string {
  return randomBytes(24).toString('base64url');
}

export class CredentialStore {
  private data: CredentialsFile = { version: 1, devices: {}, services: {} };
  private mtimeMs = -1;
  /** sha256(username, password) of pairs that verified, so reconnects skip scrypt. */
  private readonly verified = new Map<string, string>();
  readonly path: string;

  constructor(readonly dataDir: string) {
    this.path = join(dataDir, 'credentials.json');
    this.reloadIfChanged();
  }

  /** Re-reads the file if another process (fullstack provision) changed it. */
  reloadIfChanged(): void {
    if (!existsSync(this.path)) {
      this.data = { version: 1, devices: {}, services: {} };
      this.mtimeMs = -1;
      this.verified.clear();
      return;
    }
    const mtimeMs = statSync(this.path).mtimeMs;
    if (mtimeMs === this.mtimeMs) return;
    const parsed = JSON.parse(readFileSync(this.path, 'utf8')) as Partial<CredentialsFile>;
    if (
      parsed.version !== 1 ||
      typeof parsed.devices !== 'object' ||
      typeof parsed.services !== 'object'
    ) {
      throw new Error(
        `${this.path}: not a FullStack credentials file (expected version 1 with devices and services)`,
      );
    }
    this.data = parsed as CredentialsFile;
    this.mtimeMs = mtimeMs;
    this.verified.clear();
  }

  devices(): string[] {
    this.reloadIfChanged();
    return Object.keys(this.data.devices).sort();
  }

  hasDevice(id: string): boolean {
    this.reloadIfChanged();
    return id in this.data.devices;
  }

  /** Registers a device (or replaces its password) and returns the only copy of the password. */
  async provision(deviceId: string, now = Date.now()): Promise<IssuedCredential> {
    if (!DEVICE_ID_PATTERN.test(deviceId)) {
      throw new Error(
        `device id "${deviceId}" is not allowed: use ${DEVICE_ID_PATTERN.source} (lower-case letters, digits, dashes; 1 to 63)`,
      );
    }
    this.reloadIfChanged();
    const password = newPassword();
    this.data.devices[deviceId] = await makeSecret(password, now);
    this.save();
    return { username: deviceId, password };
  }

  /** Removes a device; false if it was not registered. */
  revoke(deviceId: string): boolean {
    this.reloadIfChanged();
    if (!(deviceId in this.data.devices)) return false;
    delete this.data.devices[deviceId];
    this.save();
    return true;
  }

  /** Creates (or rotates) a service credential such as the backend's. */
  async issueService(
    name: string,
    password = newPassword(),
    now = Date.now(),
  ): Promise<IssuedCredential> {
    this.reloadIfChanged();
    this.data.services[name] = await makeSecret(password, now);
    this.save();
    return { username: `${SERVICE_PREFIX}${name}`, password };
  }

  /** The identity a username and password prove, or undefined. */
  async verify(username: string, password: string): Promise<Identity | undefined> {
    this.reloadIfChanged();
    const isService = username.startsWith(SERVICE_PREFIX);
    const name = isService ? username.slice(SERVICE_PREFIX.length) : username;
    const entry = isService ? this.data.services[name] : this.data.devices[name];
    if (!entry) return undefined;
    const fingerprint = createHash('sha256').update(`${username}\0${password}`).digest('base64');
    const ok =
      this.verified.get(username) === fingerprint ||
      timingSafeEqual(
        await hashSecret(password, Buffer.from(entry.salt, 'base64')),
        Buffer.from(entry.hash, 'base64'),
      );
    if (!ok) return undefined;
    this.verified.set(username, fingerprint);
    return isService ? { kind: 'service', name } : { kind: 'device', deviceId: name };
  }

  private save(): void {
    mkdirSync(this.dataDir, { recursive: true });
    const tmp = `${this.path}.${process.pid}.tmp`;
    writeFileSync(tmp, `${JSON.stringify(this.data, null, 2)}\n`, { mode: 0o600 });
    chmodSync(tmp, 0o600);
    // rename is atomic: a gateway reading concurrently sees the old file or the new one.
    renameSync(tmp, this.path);
    this.mtimeMs = statSync(this.path).mtimeMs;
    this.verified.clear();
  }
}
