/** `fullstack build <config> --target espruino`: one minified, syntax-checked Espruino bundle. */
import { writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { type Command, Option } from 'commander';
import {
  BUNDLE_BUDGET_BYTES,
  buildEspruinoBundle,
  describeVars,
  VARS_BUDGET,
} from '../../firmware/espruino/build.js';
import { loadDeviceConfig } from '../../hardware/config/index.js';
import { parseBrokerUrl } from '../options.js';

/** The --explain table: bytes per source file, largest first. The entry is the plan's data. */
function explanation(inputs: Record<string, number>): string[] {
  const rows = Object.entries(inputs).sort((a, b) => b[1] - a[1]);
  if (rows.length === 0) return [];
  const name = (file: string) =>
    file.endsWith('.entry.ts') ? `${file} (plan, pins, credentials)` : file;
  return [
    '  bytes per source file:',
    ...rows.map(([file, n]) => `  ${String(n).padStart(7)}  ${name(file)}`),
  ];
}

export function register(program: Command): void {
  program
    .command('build')
    .description('build the firmware bundle for a device config (Espruino boards)')
    .argument('<config>', 'device config file (hardware/devices/<id>.json)')
    .addOption(
      new Option('--target <target>', 'firmware target')
        .choices(['espruino'])
        .makeOptionMandatory(),
    )
    .option('--out <file>', 'where to write the bundle (default ./<id>.bundle.js)')
    .addOption(
      new Option(
        '--broker <url>',
        "MQTT broker, overriding the config's (mqtt://host:port)",
      ).argParser(parseBrokerUrl),
    )
    .option('--explain', "print the bundle's bytes per source file (after minification)")
    .addHelpText(
      'after',
      "\nThe bundle is checked against what the Espruino interpreter accepts; the build fails with\nthe location of any construct it lacks. Size and variables are reported against the budgets;\nthe build fails when the variables estimated exceed the board's own memory.",
    )
    .action(
      async (configPath: string, opts: { out?: string; broker?: string; explain?: boolean }) => {
        const config = loadDeviceConfig(configPath);
        const bundle = await buildEspruinoBundle({
          config,
          brokerUrl: opts.broker,
          explain: opts.explain,
        });
        const out = resolve(opts.out ?? `${config.id}.bundle.js`);
        writeFileSync(out, bundle.code);
        const vars = bundle.vars;
        const total = bundle.board.espruinoVars;
        const lines = [
          `wrote ${out}`,
          `  bundle: ${bundle.bytes} bytes minified (budget ${BUNDLE_BUDGET_BYTES} for three sensors; ${config.sensors.length} here)${bundle.bytes > BUNDLE_BUDGET_BYTES ? ' OVER BUDGET' : ''}`,
          `  variables at steady state (estimate): ${vars.total} = ${describeVars(vars)} (budget ${VARS_BUDGET}${total ? `; ${bundle.board.name} has ${total}` : ''})${vars.total > VARS_BUDGET ? ' OVER BUDGET' : ''}`,
          ...bundle.warnings.map((w) => `  warning: ${w}`),
          ...explanation(bundle.inputs),
        ];
        process.stdout.write(`${lines.join('\n')}\n`);
      },
    );
}
