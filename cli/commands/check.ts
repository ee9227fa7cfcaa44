/** `fullstack check <config...>`: validate device configs, printing every problem of every file. */
import type { Command } from 'commander';
import { ConfigError, formatProblem, loadDeviceConfig } from '../../hardware/config/index.js';

export interface CheckOutput {
  out: (line: string) => void;
  err: (line: string) => void;
}

/** Checks each file; returns the number of problems found (0: all valid). */
export function checkConfigs(paths: string[], io: CheckOutput): number {
  let problems = 0;
  let bad = 0;
  for (const path of paths) {
    try {
      const config = loadDeviceConfig(path);
      io.out(
        `${path}: ok (${config.id} on ${config.board}: ${config.sensors.length} sensor${config.sensors.length === 1 ? '' : 's'}, ${config.actuators.length} actuator${config.actuators.length === 1 ? '' : 's'})`,
      );
    } catch (error) {
      if (!(error instanceof ConfigError)) throw error;
      bad++;
      problems += error.problems.length;
      for (const problem of error.problems) io.err(formatProblem(path, problem));
    }
  }
  if (problems > 0) {
    io.err(
      `${problems} problem${problems === 1 ? '' : 's'} in ${bad} of ${paths.length} file${paths.length === 1 ? '' : 's'}`,
    );
  }
  return problems;
}

export function register(program: Command): void {
  program
    .command('check')
    .description('validate device configs: fields, board pins, wiring, intervals, network')
    .argument('<config...>', 'device config files (hardware/devices/<id>.json)')
    .addHelpText(
      'after',
      '\nPrints every problem as file:field: message and exits 1 if there is any.\nExample: fullstack check hardware/devices/*.json',
    )
    .action((paths: string[]) => {
      const problems = checkConfigs(paths, {
        out: (line) => console.log(line),
        err: (line) => console.error(line),
      });
      process.exitCode = problems > 0 ? 1 : 0;
    });
}
