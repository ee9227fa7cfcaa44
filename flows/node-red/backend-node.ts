/** `fullstack-backend`: the config node holding the connection to FullStack (and its store). */
import { Backend } from '../lib/backend.js';
import type { BackendNode } from './backend-of.js';
import type { Node, NodeAPI, NodeDef } from './types.js';

function days(value: unknown, fallback: number): number {
  const n = Number(value);
  return Number.isFinite(n) && n > 0 ? n : fallback;
}

export default function register(RED: NodeAPI): void {
  RED.nodes.registerType(
    'fullstack-backend',
    function (this: Node, def: NodeDef) {
      RED.nodes.createNode(this, def);
      const node = this as BackendNode;
      const url = String(def.url || process.env.FULLSTACK_MQTT_URL || 'mqtt://127.0.0.1:1883');
      const username = String(def.username || process.env.FULLSTACK_MQTT_USERNAME || '');
      const password = node.credentials?.password || process.env.FULLSTACK_MQTT_PASSWORD || '';
      const database = String(def.database || process.env.FULLSTACK_DB || '') || undefined;
      node.backend = new Backend({
        url,
        username,
        password,
        gateway: String(def.gateway || '+'),
        shareGroup: String(def.share || '') || undefined,
        database,
        retention: {
          rawMs: days(def.rawDays, 7) * 86_400_000,
          rollupMs: days(def.rollupDays, 365) * 86_400_000,
        },
        warn: (text) => node.warn(text),
      });
      node.backend.start();
      node.on('close', (_removed, done) => {
        node.backend.stop().then(done, (error: Error) => {
          node.warn(`closing the backend connection: ${error.message}`);
          done();
        });
      });
    },
    { credentials: { password: { type: 'password' } } },
  );
}
