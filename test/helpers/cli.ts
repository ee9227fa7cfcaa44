/** The built `fullstack` CLI as the suites run it: a child process, its exit code and output. */
import { execFile } from 'node:child_process';
import { repoPath } from '../../lib/paths.js';

export const CLI_BIN = repoPath('bin', 'fullstack.js');

export interface CliRun {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs `fullstack <args>` (needs `npm run build`); never rejects: a failure is its code. */
export function runCli(args: string[], timeoutMs = 60_000): Promise<CliRun> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [CLI_BIN, ...args],
      { timeout: timeoutMs },
      (error, stdout, stderr) =>
        resolve({
          code: error ? Number((error as { code?: number }).code ?? 1) : 0,
          stdout,
          stderr,
        }),
    );
  });
}
