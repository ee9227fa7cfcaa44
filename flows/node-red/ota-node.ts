/**
 * `fullstack ota`: over-the-air update progress per device, from the gateways' `events`
 * (flows/lib/ota-progress.ts); the modes, throttle and input are
 * flows/node-red/snapshot-node.ts's.
 */
import type { OtaProgress } from '../lib/ota-progress.js';
import { backendOf } from './backend-of.js';
import { wireSnapshotNode } from './snapshot-node.js';
import type { Node, NodeAPI, NodeDef } from './types.js';

export default function register(RED: NodeAPI): void {
  RED.nodes.registerType('fullstack ota', function (this: Node, def: NodeDef) {
    RED.nodes.createNode(this, def);
    const backend = backendOf(RED, this, def.backend);
    if (!backend) return;
    wireSnapshotNode(this, def, backend, {
      topic: 'ota',
      snapshot: (b) => b.ota.snapshot(),
      summary: (all, b) => {
        const updating = all.filter((p) => p.state === 'updating').length;
        const { malformed } = b.ota.stats();
        const refused = malformed ? ` · ${malformed} malformed event(s) ignored` : '';
        return `${updating} updating${refused}`;
      },
      subscribe: (b, wanted, _fleetMode, notify) =>
        b.otaChanges.on((progress: OtaProgress) => {
          if (wanted(progress.device)) notify([{ device: progress.device, payload: progress }]);
        }),
    });
  });
}
