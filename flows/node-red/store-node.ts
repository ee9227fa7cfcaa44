/**
 * `fullstack store`: writes telemetry into the backend's SQLite store. Wire it to a
 * `fullstack in` in "message" mode; it also accepts `msg.payload` as an array of telemetry
 * items. Prunes what is past retention once an hour.
 */
import type { ForwardedTelemetry } from '../../contract/index.js';
import { backendOf } from './backend-of.js';
import type { Node, NodeAPI, NodeDef } from './types.js';

const PRUNE_EVERY_MS = 3600_000;

function itemsOf(payload: unknown): ForwardedTelemetry[] | undefined {
  const list = Array.isArray(payload) ? payload : [payload];
  const ok = list.every(
    (i) =>
      typeof i === 'object' &&
      i !== null &&
      typeof i.device === 'string' &&
      typeof i.ts === 'number' &&
      typeof i.boot === 'number' &&
      typeof i.seq === 'number' &&
      typeof i.readings === 'object',
  );
  return ok ? (list as ForwardedTelemetry[]) : undefined;
}

export default function register(RED: NodeAPI): void {
  RED.nodes.registerType('fullstack store', function (this: Node, def: NodeDef) {
    RED.nodes.createNode(this, def);
    const backend = backendOf(RED, this, def.backend);
    if (!backend) return;
    let stored = 0;
    const prune = () => {
      try {
        const removed = backend.readings().prune();
        if (removed.raw || removed.rollup)
          this.log(`pruned ${removed.raw} readings, ${removed.rollup} rollups`);
      } catch (error) {
        this.warn(`prune failed: ${(error as Error).message}`);
      }
    };
    const timer = setInterval(prune, PRUNE_EVERY_MS);
    try {
      backend.readings();
      prune();
      this.status({ fill: 'green', shape: 'dot', text: 'ready' });
    } catch (error) {
      this.status({ fill: 'red', shape: 'ring', text: (error as Error).message.slice(0, 40) });
    }
    this.on('input', (msg, send, done) => {
      const items = itemsOf(msg.payload);
      if (!items) {
        done(
          new Error(
            'msg.payload is not a telemetry item ({device, boot, seq, ts, readings}) or an array of them',
          ),
        );
        return;
      }
      try {
        const added = backend.readings().insert(items);
        stored += added;
        this.status({ fill: 'green', shape: 'dot', text: `${stored} stored` });
        send({ ...msg, stored: added });
        done();
      } catch (error) {
        this.status({ fill: 'red', shape: 'ring', text: 'write failed' });
        done(error as Error);
      }
    });
    this.on('close', (_removed, done) => {
      clearInterval(timer);
      done();
    });
  });
}
