/**
 * The firmware budgets (issue 4), checked here rather than in a test: for every shipped device
 * config on an Espruino board, the minified bundle size (budget: 8 KB for three sensors) and
 * the estimated variables at steady state (budget: 900; the estimate is computed from the
 * bundle as the interpreter stores it, firmware/espruino/budget.ts and docs/firmware.md). The
 * bundle is also run in the Espruino sandbox for a few seconds against a real broker, to
 * confirm it reaches steady state. Exits 1 when a config is over a budget.
 *
 * `runFirmwareBudget()` returns the figures; `npm run bench` (bench/run.ts) prints them, and
 * `node dist/bench/firmware-budget.js` runs it alone.
 */
import { readdirSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import {
  BUNDLE_BUDGET_BYTES,
  buildEspruinoBundle,
  describeVars,
  VARS_BUDGET,
} from '../firmware/espruino/build.js';
import { EspruinoSandbox } from '../firmware/espruino/sandbox.js';
import { getBoard } from '../hardware/boards/index.js';
import { loadDeviceConfig } from '../hardware/config/index.js';
import { createWorld } from '../hardware/virtual/world.js';
import { repoPath } from '../lib/paths.js';
import { startTestBroker } from '../test/helpers/broker.js';

const STEADY_STATE_MS = 3000;

export async function runFirmwareBudget(
  log: (line: string) => void = console.log,
): Promise<Record<string, number>> {
  const figures: Record<string, number> = {
    'firmware.budget.bytes': BUNDLE_BUDGET_BYTES,
    'firmware.budget.vars': VARS_BUDGET,
  };
  let over = 0;
  const broker = await startTestBroker();
  try {
    const dir = repoPath('hardware', 'devices');
    for (const file of readdirSync(dir)
      .filter((f) => f.endsWith('.json'))
      .sort()) {
      const config = loadDeviceConfig(`${dir}/${file}`);
      if (getBoard(config.board).target !== 'espruino') continue;
      const bundle = await buildEspruinoBundle({ config, brokerUrl: broker.url });
      const vars = bundle.vars;
      const telemetry: string[] = [];
      const listener = (packet: { topic: string }) => {
        if (packet.topic === `fs/v1/${config.id}/telemetry`) telemetry.push(packet.topic);
      };
      broker.aedes.on('publish', listener);
      const world = createWorld({ seed: 1 });
      const sandbox = new EspruinoSandbox({
        board: bundle.board,
        world,
        device: config,
        variables: bundle.board.espruinoVars,
        usedVars: vars.total,
      });
      sandbox.run(bundle.code, `${config.id}.bundle.js`);
      await new Promise((resolve) => setTimeout(resolve, STEADY_STATE_MS));
      sandbox.dispose();
      world.close();
      broker.aedes.removeListener('publish', listener);
      const threeSensorScale = config.sensors.length <= 3;
      const bytesOk = !threeSensorScale || bundle.bytes <= BUNDLE_BUDGET_BYTES;
      const varsOk = vars.total <= VARS_BUDGET;
      if (!bytesOk || !varsOk) over++;
      figures[`firmware.${config.id}.bytes`] = bundle.bytes;
      figures[`firmware.${config.id}.vars`] = vars.total;
      figures[`firmware.${config.id}.telemetry_in_${STEADY_STATE_MS}ms`] = telemetry.length;
      log(
        `firmware ${config.id} (${config.board}, ${config.sensors.length} sensors): ${bundle.bytes} bytes${bytesOk ? '' : ' OVER'} / ${BUNDLE_BUDGET_BYTES}, ~${vars.total} vars${varsOk ? '' : ' OVER'} / ${VARS_BUDGET} (${describeVars(vars)}), ${telemetry.length} telemetry messages in ${STEADY_STATE_MS} ms`,
      );
    }
  } finally {
    await broker.close();
  }
  figures['firmware.over_budget'] = over;
  return figures;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const figures = await runFirmwareBudget();
  console.log(JSON.stringify(figures));
  process.exitCode = figures['firmware.over_budget'] ? 1 : 0;
}
