/** `fullstack provision <id>`: register a device and print its MQTT credentials as JSON. */
import type { Command } from 'commander';
import { CredentialStore } from '../../gateway/credentials.js';
import { dataDirOption, parseDeviceId } from '../options.js';

export function register(program: Command): void {
  program
    .command('provision')
    .description('register a device: prints {"device","username","password"} (stored hashed)')
    .argument('<id>', 'device id', parseDeviceId)
    .option('--revoke', 'remove the device instead; it can no longer connect', false)
    .addOption(dataDirOption())
    .addHelpText(
      'after',
      '\nThe password is printed once and stored only as a scrypt hash in <data-dir>/credentials.json.\n' +
        'Provisioning an existing id issues a new password. A running gateway picks changes up at once.',
    )
    .action(async (id: string, options: { revoke: boolean; dataDir: string }) => {
      const store = new CredentialStore(options.dataDir);
      if (options.revoke) {
        if (!store.revoke(id)) {
          throw new Error(`device "${id}" is not provisioned in ${store.path}; nothing to revoke`);
        }
        console.log(JSON.stringify({ device: id, revoked: true }));
        return;
      }
      const issued = await store.provision(id);
      console.log(
        JSON.stringify({ device: id, username: issued.username, password: issued.password }),
      );
    });
}
