/**
 * `fullstack history`: queries stored readings. The node's settings give the device, sensor,
 * range (minutes back from now) and step; `msg.payload` {device, sensor, from, to, step}
 * overrides any of them. Outputs `payload` = {device, from, to, step, source, series}.
 */
import { parseStep } from '../lib/api.js';
import type { ReadingsQuery } from '../lib/store.js';
import { backendOf } from './backend-of.js';
import type { Node, NodeAPI, NodeDef } from './types.js';

const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

export default function register(RED: NodeAPI): void {
  RED.nodes.registerType('fullstack history', function (this: Node, def: NodeDef) {
    RED.nodes.createNode(this, def);
    const backend = backendOf(RED, this, def.backend);
    if (!backend) return;
    this.status({ fill: 'grey', shape: 'ring', text: 'idle' });
    this.on('input', (msg, send, done) => {
      try {
        const p = isObject(msg.payload) ? msg.payload : {};
        const now = Date.now();
        const device = String(p.device ?? msg.device ?? def.device ?? '');
        if (!device) throw new Error('no device: set one on the node or in msg.payload.device');
        const to = typeof p.to === 'number' ? p.to : now;
        const minutes = Number(def.range) > 0 ? Number(def.range) : 60;
        const from = typeof p.from === 'number' ? p.from : to - minutes * 60_000;
        const stepValue = p.step ?? def.step;
        const step =
          typeof stepValue === 'number'
            ? stepValue
            : parseStep(stepValue === '' ? undefined : stepValue);
        const query: ReadingsQuery = { device, from, to, step };
        const sensor = p.sensor ?? def.sensor;
        if (typeof sensor === 'string' && sensor !== '') query.sensor = sensor;
        const result = backend.readings().query(query, now);
        const points = Object.values(result.series).reduce((n, s) => n + s.length, 0);
        this.status({ fill: 'green', shape: 'dot', text: `${device}: ${points} points` });
        send({ ...msg, topic: msg.topic ?? device, payload: result });
        done();
      } catch (error) {
        this.status({ fill: 'red', shape: 'ring', text: 'query failed' });
        done(error as Error);
      }
    });
  });
}
