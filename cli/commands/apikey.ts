/** `fullstack apikey`: keys for the REST API (stored hashed in <data dir>/api-keys.json). */
import { join } from 'node:path';
import type { Command } from 'commander';
import { createApiKey, readKeyFile, revokeApiKey } from '../../flows/lib/api-keys.js';
import { dataDirOption } from '../options.js';

const keysFile = (dataDir: string) => join(dataDir, 'api-keys.json');

export function register(program: Command): void {
  const apikey = program
    .command('apikey')
    .description('manage API keys for the REST API (Authorization: Bearer <key>)');

  apikey
    .command('create <name>')
    .description('create a key and print it once (only its hash is kept)')
    .addOption(dataDirOption())
    .option('--json', 'print {"name","key","id"} as JSON')
    .action((name: string, opts: { dataDir: string; json?: boolean }) => {
      const { key, record } = createApiKey(keysFile(opts.dataDir), name);
      if (opts.json) console.log(JSON.stringify({ name: record.name, id: record.id, key }));
      else {
        console.log(key);
        console.error(
          `API key "${name}" created; it is shown only now. Send it as: Authorization: Bearer <key>`,
        );
      }
    });

  apikey
    .command('list')
    .description('list key names and ids (never the keys)')
    .addOption(dataDirOption())
    .action((opts: { dataDir: string }) => {
      const keys = readKeyFile(keysFile(opts.dataDir));
      if (keys.length === 0)
        console.log('no API keys (create one with `fullstack apikey create <name>`)');
      for (const k of keys) console.log(`${k.name}\t${k.id}\t${k.created}`);
    });

  apikey
    .command('revoke <name>')
    .description('delete a key; requests with it are refused at once')
    .addOption(dataDirOption())
    .action((name: string, opts: { dataDir: string }) => {
      if (!revokeApiKey(keysFile(opts.dataDir), name)) {
        throw new Error(`no API key named "${name}" in ${keysFile(opts.dataDir)}`);
      }
      console.log(`API key "${name}" revoked`);
    });
}
