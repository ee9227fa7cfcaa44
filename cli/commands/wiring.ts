/** `fullstack wiring <config> [--out FILE]`: draw a device config's wiring as an SVG diagram. */
import { writeFileSync } from 'node:fs';
import type { Command } from 'commander';
import { ConfigError, formatProblem, loadDeviceConfig } from '../../hardware/config/index.js';
import { renderWiringSvg } from '../../hardware/wiring/index.js';

export function register(program: Command): void {
  program
    .command('wiring')
    .description('draw the wiring of a device config as SVG: board, parts, power, pull-ups')
    .argument('<config>', 'device config file (hardware/devices/<id>.json)')
    .option('-o, --out <file>', 'write the SVG to this file (default: standard output)')
    .addHelpText(
      'after',
      '\nA config with problems is not drawn: its problems are printed as by `fullstack check`.',
    )
    .action((path: string, opts: { out?: string }) => {
      let svg: string;
      try {
        svg = renderWiringSvg(loadDeviceConfig(path));
      } catch (error) {
        if (!(error instanceof ConfigError)) throw error;
        for (const problem of error.problems) console.error(formatProblem(path, problem));
        console.error(
          `not drawn: ${path} has ${error.problems.length} problem${error.problems.length === 1 ? '' : 's'}`,
        );
        process.exitCode = 1;
        return;
      }
      if (!opts.out) {
        process.stdout.write(svg);
        return;
      }
      try {
        writeFileSync(opts.out, svg);
      } catch (error) {
        console.error(
          `fullstack wiring: cannot write --out ${opts.out}: ${(error as Error).message}`,
        );
        process.exitCode = 1;
        return;
      }
      console.log(`wrote ${opts.out}`);
    });
}
