/** Entry point of the `fullstack` CLI. */
import { readFileSync } from 'node:fs';
import { Command, CommanderError } from 'commander';
import { commands } from './commands/index.js';

const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as {
  version: string;
};

// Commander prints its own parse errors; an error thrown by a command's action (including an
// InvalidArgumentError, which is a CommanderError too) is ours to print.
let commanderPrinted = false;

const program = new Command('fullstack')
  .description(
    'FullStack: real-time IoT in TypeScript: firmware, gateway, Node-RED backend and dashboard.',
  )
  .version(pkg.version, '-V, --version')
  .showHelpAfterError('(run with --help for usage)')
  .configureOutput({
    outputError: (text, write) => {
      commanderPrinted = true;
      write(text);
    },
  })
  .exitOverride();

for (const register of commands) register(program);

try {
  await program.parseAsync(process.argv);
} catch (error) {
  const isCommander = error instanceof CommanderError;
  // --help and --version end in a CommanderError with exit code 0: nothing to report.
  const quietExit = isCommander && error.exitCode === 0;
  if (!quietExit && (!isCommander || !commanderPrinted)) {
    console.error(`fullstack: ${(error as Error).message.replace(/^error: /, '')}`);
  }
  process.exitCode = isCommander ? error.exitCode : 1;
  // A command that failed half-way may leave handles open (a listener it had started); a failed
  // CLI must still exit, or systemd's Restart=on-failure never sees the failure.
  setTimeout(() => process.exit(), 2000).unref();
}
