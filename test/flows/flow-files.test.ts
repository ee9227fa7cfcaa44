/** Flows as code: merging the shipped flows into the user's flow file. */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import {
  type FlowNode,
  mergeFlows,
  readShippedFlows,
  syncFlowFiles,
  unitsOf,
} from '../../flows/lib/flow-files.js';
import { repoPath } from '../../lib/paths.js';

const shippedV1: FlowNode[] = [
  { id: 't1', type: 'tab', label: 'Shipped' },
  { id: 'n1', type: 'inject', z: 't1', name: 'v1' },
  { id: 'cfg', type: 'mqtt-broker', broker: 'a' },
];
const shippedV2: FlowNode[] = [
  { id: 't1', type: 'tab', label: 'Shipped' },
  { id: 'n1', type: 'inject', z: 't1', name: 'v2' },
  { id: 'cfg', type: 'mqtt-broker', broker: 'a' },
];
const userTab: FlowNode[] = [
  { id: 'u1', type: 'tab', label: 'Mine' },
  { id: 'un', type: 'debug', z: 'u1' },
];

test('groups a tab with its nodes and each global node alone', () => {
  const units = unitsOf([...shippedV1, ...userTab]);
  assert.equal([...units.keys()].sort(), ['cfg', 't1', 'u1']);
  assert.equal(units.get('t1')?.length, 2);
});

test('a first start seeds every shipped unit', () => {
  const report = mergeFlows(shippedV1, undefined, undefined);
  assert.equal(report.flows, shippedV1);
  assert.equal(report.outcomes, { t1: 'added', cfg: 'added' });
});

test('an untouched shipped unit is updated; the user tab is kept', () => {
  const first = mergeFlows(shippedV1, undefined, undefined);
  const report = mergeFlows(shippedV2, [...first.flows, ...userTab], first.manifest);
  assert.equal(report.outcomes.t1, 'updated');
  assert.equal(report.flows.find((n) => n.id === 'n1')?.name, 'v2');
  assert.ok(report.flows.find((n) => n.id === 'un'));
});

test('a unit the user edited is kept, and one the user deleted stays deleted', () => {
  const first = mergeFlows(shippedV1, undefined, undefined);
  const edited = first.flows
    .filter((n) => n.id !== 'cfg')
    .map((n) => (n.id === 'n1' ? { ...n, name: 'mine' } : n));
  const report = mergeFlows(shippedV2, edited, first.manifest);
  assert.equal(report.outcomes, { t1: 'kept-user-edit', cfg: 'kept-deleted' });
  assert.equal(report.flows.find((n) => n.id === 'n1')?.name, 'mine');
  assert.not.ok(report.flows.find((n) => n.id === 'cfg'));
});

test('a unit no longer shipped is removed when untouched, kept when edited', () => {
  const first = mergeFlows(shippedV1, undefined, undefined);
  const withoutCfg = shippedV1.filter((n) => n.id !== 'cfg');
  const report = mergeFlows(withoutCfg, first.flows, first.manifest);
  assert.is(report.outcomes.cfg, 'removed');
  assert.not.ok(report.flows.find((n) => n.id === 'cfg'));
  const edited = first.flows.map((n) => (n.id === 'cfg' ? { ...n, broker: 'mine' } : n));
  const kept = mergeFlows(withoutCfg, edited, first.manifest);
  assert.is(kept.outcomes.cfg, undefined);
  assert.ok(kept.flows.find((n) => n.id === 'cfg'));
});

test('syncFlowFiles writes the flow file and the manifest, and never the shipped files', () => {
  const dir = mkdtempSync(join(tmpdir(), 'fs-flowfiles-'));
  try {
    const shippedDir = join(dir, 'shipped');
    const userDir = join(dir, 'user');
    makeDirs(shippedDir, userDir);
    writeFileSync(join(shippedDir, 'a.json'), JSON.stringify(shippedV1));
    const paths = {
      shippedDir,
      flowFile: join(userDir, 'flows.json'),
      manifestFile: join(userDir, 'm.json'),
    };
    syncFlowFiles(paths);
    const seeded = JSON.parse(readFileSync(paths.flowFile, 'utf8')) as FlowNode[];
    assert.equal(seeded.length, 3);
    assert.equal(JSON.parse(readFileSync(join(shippedDir, 'a.json'), 'utf8')), shippedV1);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('refuses a duplicate id across shipped files, naming both files', () => {
  const dir = mkdtempSync(join(tmpdir(), 'fs-flowfiles-'));
  try {
    writeFileSync(join(dir, 'a.json'), JSON.stringify([{ id: 'x', type: 'tab' }]));
    writeFileSync(join(dir, 'b.json'), JSON.stringify([{ id: 'x', type: 'tab' }]));
    assert.throws(() => readShippedFlows(dir), /"x" is in both a\.json and b\.json/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('the repository flows parse and have unique ids', () => {
  const nodes = readShippedFlows(repoPath('flows'));
  assert.ok(nodes.some((n) => n.type === 'ui-base'));
});

function makeDirs(...dirs: string[]): void {
  for (const d of dirs) mkdirSync(d, { recursive: true });
}

test.run();
