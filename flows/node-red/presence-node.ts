/**
 * `fullstack presence`: online/offline changes with their reason, or (mode `fleet`) the whole
 * fleet (presence, board, firmware, latest readings) whenever anything changes; the modes,
 * throttle and input are flows/node-red/snapshot-node.ts's.
 */
import type { FleetChange } from '../lib/fleet.js';
import { backendOf } from './backend-of.js';
import { wireSnapshotNode } from './snapshot-node.js';
import type { Node, NodeAPI, NodeDef } from './types.js';

export default function register(RED: NodeAPI): void {
  RED.nodes.registerType('fullstack presence', function (this: Node, def: NodeDef) {
    RED.nodes.createNode(this, def);
    const backend = backendOf(RED, this, def.backend);
    if (!backend) return;
    wireSnapshotNode(this, def, backend, {
      topic: 'fleet',
      snapshot: (b) => b.fleet.snapshot(),
      summary: (all) => `${all.filter((d) => d.online).length}/${all.length} online`,
      subscribe: (b, wanted, fleetMode, notify) =>
        b.changes.on((changes: FleetChange[]) => {
          // The fleet snapshot changes with every reading; `changes` mode reports presence only.
          const relevant = changes.filter(
            (c) => wanted(c.device) && (fleetMode || c.type === 'presence'),
          );
          if (relevant.length === 0) return;
          notify(
            relevant
              .filter((c) => c.type === 'presence')
              .map((c) => ({ device: c.device, payload: c })),
          );
        }),
    });
  });
}
