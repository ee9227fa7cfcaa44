/**
 * Saving editor changes back into the repository: every shipped unit (a tab with its nodes, or
 * a global config node) that the user changed in the editor replaces its copy in the flows/*.json
 * file it came from. Tabs the user made are not shipped, so they stay in the data dir only
 * (move them into a flows/*.json file by hand to ship them).
 */
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { repoPath } from '../../lib/paths.js';
import { hashUnit, parseFlowJson, unitsOf } from './flow-files.js';

export function saveFlowsBack(
  dataDir: string,
  options: { dryRun: boolean; shippedDir?: string },
): string[] {
  const shippedDir = options.shippedDir ?? repoPath('flows');
  const flowFile = join(dataDir, 'node-red', 'flows.json');
  if (!existsSync(flowFile)) {
    throw new Error(
      `no Node-RED flows at ${flowFile}: start \`fullstack up --data-dir ${dataDir}\` once first`,
    );
  }
  const userUnits = unitsOf(parseFlowJson(readFileSync(flowFile, 'utf8'), flowFile));
  const changes: string[] = [];
  for (const file of readdirSync(shippedDir)
    .filter((n) => n.endsWith('.json'))
    .sort()) {
    const path = join(shippedDir, file);
    const shipped = unitsOf(parseFlowJson(readFileSync(path, 'utf8'), path));
    let changed = false;
    const next = [...shipped.entries()].flatMap(([id, unit]) => {
      const mine = userUnits.get(id);
      if (!mine || hashUnit(mine) === hashUnit(unit)) return unit;
      changed = true;
      changes.push(`${file}: ${id}`);
      return mine;
    });
    if (changed && !options.dryRun) writeFileSync(path, `${JSON.stringify(next, null, 2)}\n`);
  }
  return changes;
}
