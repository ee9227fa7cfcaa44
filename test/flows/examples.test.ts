/** The example flows (Import → Examples) and the shipped flows: valid and self-contained. */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { parseFlowJson, readShippedFlows } from '../../flows/lib/flow-files.js';
import { repoPath } from '../../lib/paths.js';

const dir = repoPath('flows', 'nodes', 'examples');
const pkg = JSON.parse(readFileSync(repoPath('flows', 'nodes', 'package.json'), 'utf8')) as {
  'node-red': { nodes: Record<string, string> };
};
const OURS = new Set(
  Object.keys(pkg['node-red'].nodes).map((file) =>
    file === 'fullstack-backend' ? file : file.replace('fullstack-', 'fullstack '),
  ),
);
const CORE = new Set(['inject', 'debug', 'comment', 'http in', 'http response']);

test('there is an example for every FullStack node', () => {
  const used = new Set<string>();
  for (const file of readdirSync(dir)) {
    for (const node of parseFlowJson(readFileSync(join(dir, file), 'utf8'), file))
      used.add(node.type);
  }
  for (const type of OURS) assert.ok(used.has(type), `no example uses ${type}`);
});

test('each example uses known types, wires to nodes it contains, and carries its backend', () => {
  for (const file of readdirSync(dir)) {
    const nodes = parseFlowJson(readFileSync(join(dir, file), 'utf8'), file);
    const ids = new Set(nodes.map((n) => n.id));
    for (const node of nodes) {
      assert.ok(OURS.has(node.type) || CORE.has(node.type), `${file}: unknown type ${node.type}`);
      for (const port of (node.wires as string[][] | undefined) ?? []) {
        for (const target of port)
          assert.ok(ids.has(target), `${file}: ${node.id} wires to missing ${target}`);
      }
      if (typeof node.backend === 'string')
        assert.ok(ids.has(node.backend), `${file}: backend ${node.backend} missing`);
    }
  }
});

test('the shipped flows: every wire, link, backend, page and group reference resolves', () => {
  const nodes = readShippedFlows(repoPath('flows'));
  const ids = new Set(nodes.map((n) => n.id));
  for (const node of nodes) {
    for (const port of (node.wires as string[][] | undefined) ?? []) {
      for (const target of port)
        assert.ok(ids.has(target), `${node.id} wires to missing ${target}`);
    }
    for (const field of ['backend', 'group', 'page', 'ui', 'theme', 'z']) {
      const ref = node[field];
      if (typeof ref === 'string' && ref !== '' && !(field === 'theme' && ref === 'default')) {
        assert.ok(ids.has(ref), `${node.id}.${field} refers to missing ${ref}`);
      }
    }
    for (const link of (node.links as string[] | undefined) ?? [])
      assert.ok(ids.has(link), `${node.id} links to missing ${link}`);
  }
});

test.run();
