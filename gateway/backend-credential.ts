/**
 * The backend's service credential on the device-side broker (Node-RED uses it). Created on
 * first start and kept in `<dataDir>/backend-credential.json` (mode 0600), because the gateway
 * must hand the same password to Node-RED after every restart; only its hash is in the
 * credentials store that the broker checks.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { type CredentialStore, type IssuedCredential, SERVICE_PREFIX } from './credentials.js';

const SERVICE = 'backend';

export async function ensureBackendCredential(
  store: CredentialStore,
  dataDir: string,
): Promise<IssuedCredential> {
  const path = join(dataDir, 'backend-credential.json');
  if (existsSync(path)) {
    const saved = JSON.parse(readFileSync(path, 'utf8')) as Partial<IssuedCredential>;
    if (typeof saved.username === 'string' && typeof saved.password === 'string') {
      const identity = await store.verify(saved.username, saved.password);
      if (identity?.kind === 'service')
        return { username: saved.username, password: saved.password };
    }
  }
  const issued = await store.issueService(SERVICE);
  writeFileSync(path, `${JSON.stringify(issued)}\n`, { mode: 0o600 });
  return issued;
}

export const BACKEND_USERNAME = `${SERVICE_PREFIX}${SERVICE}`;
