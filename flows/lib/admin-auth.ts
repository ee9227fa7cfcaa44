/**
 * The login for Node-RED's editor and admin API (adminAuth). The password is hashed with
 * bcrypt (bcryptjs, the library Node-RED itself verifies adminAuth passwords with) and kept in
 * `<data dir>/node-red-auth.json`, which flows/settings.cjs reads at start.
 */
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { isLoopback } from '../../lib/hosts.js';

const require = createRequire(import.meta.url);
// bcryptjs ships inside node-red's own dependencies; resolve it from there.
const bcrypt = require(
  require.resolve('bcryptjs', { paths: [dirname(require.resolve('node-red/package.json'))] }),
) as {
  hashSync(password: string, rounds: number): string;
  compareSync(password: string, hash: string): boolean;
};

export const MIN_PASSWORD_LENGTH = 8;

export interface AdminAuth {
  username: string;
  passwordHash: string;
}

export function authFile(dataDir: string): string {
  return join(dataDir, 'node-red-auth.json');
}

export function readAdminAuth(dataDir: string): AdminAuth | undefined {
  const file = authFile(dataDir);
  if (!existsSync(file)) return undefined;
  const auth = JSON.parse(readFileSync(file, 'utf8')) as Partial<AdminAuth>;
  if (typeof auth.username !== 'string' || typeof auth.passwordHash !== 'string') {
    throw new Error(`${file}: expected {"username": string, "passwordHash": string}`);
  }
  return auth as AdminAuth;
}

export function setAdminPassword(dataDir: string, username: string, password: string): AdminAuth {
  if (!/^[A-Za-z0-9._-]{1,64}$/.test(username)) {
    throw new Error(
      `user name "${username}" is not allowed: 1 to 64 letters, digits, dots, dashes or underscores`,
    );
  }
  if (password.length < MIN_PASSWORD_LENGTH) {
    throw new Error(
      `the password has ${password.length} characters; at least ${MIN_PASSWORD_LENGTH} are required`,
    );
  }
  const auth: AdminAuth = { username, passwordHash: bcrypt.hashSync(password, 10) };
  const file = authFile(dataDir);
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(`${file}.tmp`, `${JSON.stringify(auth, null, 2)}\n`, { mode: 0o600 });
  renameSync(`${file}.tmp`, file);
  return auth;
}

export function verifyAdminPassword(auth: AdminAuth, password: string): boolean {
  return bcrypt.compareSync(password, auth.passwordHash);
}

export { isLoopback };

export type Exposure = { ok: true; protected: boolean } | { ok: false; message: string };

/**
 * Whether Node-RED may listen on `host`: on loopback always; anywhere else only with a login
 * set (`fullstack nodered password`). `fullstack up` calls this before starting anything.
 */
export function checkExposure(host: string, dataDir: string): Exposure {
  const auth = readAdminAuth(dataDir);
  if (auth) return { ok: true, protected: true };
  if (isLoopback(host)) return { ok: true, protected: false };
  return {
    ok: false,
    message:
      `refusing to expose the Node-RED editor on ${host} without a login: ` +
      `set one with \`fullstack nodered password --data-dir ${dataDir}\`, or listen on 127.0.0.1`,
  };
}
