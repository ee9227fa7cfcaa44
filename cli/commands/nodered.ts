/**
 * `fullstack nodered`: the login for the Node-RED editor (adminAuth) and saving flows edited in
 * the editor back into the repository's flows/*.json.
 */
import { randomBytes } from 'node:crypto';
import { type Command, Option } from 'commander';
import { readAdminAuth, setAdminPassword } from '../../flows/lib/admin-auth.js';
import { dataDirOption, parsePort } from '../options.js';

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks)
    .toString('utf8')
    .replace(/\r?\n$/, '');
}

export function register(program: Command): void {
  const nodered = program.command('nodered').description('Node-RED: editor login, flows');

  nodered
    .command('password')
    .description('set the editor login (required before `fullstack up --host` beyond 127.0.0.1)')
    .addOption(dataDirOption())
    .option('--user <name>', 'user name', 'admin')
    .option('--password-stdin', 'read the password from standard input')
    .option('--generate', 'generate a password and print it once')
    .addHelpText(
      'after',
      '\nThe password is stored as a bcrypt hash in <data dir>/node-red-auth.json and applies from\nthe next start of Node-RED. With neither option, FULLSTACK_NR_PASSWORD is used.',
    )
    .action(
      async (opts: {
        dataDir: string;
        user: string;
        passwordStdin?: boolean;
        generate?: boolean;
      }) => {
        if (opts.passwordStdin && opts.generate)
          throw new Error('use --password-stdin or --generate, not both');
        let password: string | undefined;
        if (opts.generate) password = randomBytes(12).toString('base64url');
        else if (opts.passwordStdin) password = await readStdin();
        else password = process.env.FULLSTACK_NR_PASSWORD;
        if (!password) {
          throw new Error(
            'no password given: use --password-stdin, --generate or FULLSTACK_NR_PASSWORD',
          );
        }
        setAdminPassword(opts.dataDir, opts.user, password);
        if (opts.generate) console.log(password);
        console.error(
          `Node-RED editor login set for user "${opts.user}" (applies from the next start)`,
        );
      },
    );

  nodered
    .command('auth-status')
    .description('say whether the editor login is set')
    .addOption(dataDirOption())
    .action((opts: { dataDir: string }) => {
      const auth = readAdminAuth(opts.dataDir);
      console.log(
        auth
          ? `login set for user "${auth.username}"`
          : 'no login set: Node-RED may listen on 127.0.0.1 only',
      );
    });

  nodered
    .command('save-flows')
    .description(
      "write the shipped tabs as edited in the editor back into the repository's flows/*.json",
    )
    .addOption(dataDirOption())
    .option('--dry-run', 'say what would change, write nothing')
    .action(async (opts: { dataDir: string; dryRun?: boolean }) => {
      const { saveFlowsBack } = await import('../../flows/lib/save-flows.js');
      const changes = saveFlowsBack(opts.dataDir, { dryRun: opts.dryRun === true });
      if (changes.length === 0) console.log('the repository flows already match the editor');
      for (const change of changes)
        console.log(`${opts.dryRun ? 'would update' : 'updated'} ${change}`);
    });

  // Added for `fullstack install` (docs/flashing.md): Node-RED as its own systemd service.
  nodered
    .command('run')
    .description('run Node-RED alone, against a running gateway (the Pi service)')
    .option('--host <addr>', 'where the editor and dashboard listen', '127.0.0.1')
    .addOption(
      new Option('--ui-port <port>', 'editor and dashboard port')
        .argParser(parsePort)
        .default(1880),
    )
    .option('--broker <url>', "the gateway's MQTT broker", 'mqtt://127.0.0.1:1883')
    .addOption(dataDirOption())
    .action(async (opts: { host: string; uiPort: number; broker: string; dataDir: string }) => {
      const { runNodeRedService } = await import('../../deploy/nodered-service.js');
      await runNodeRedService(opts);
    });
}
