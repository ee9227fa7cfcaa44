/**
 * `fullstack ota`: over-the-air update progress per device, from the gateways' `events`
 * (flows/lib/ota-progress.ts). Mode `fleet` (the dashboard's): every device's progress as one
 * message on each change, at most once per `throttle` ms (default 50); mode `changes`: one
 * message per device update. Any input message asks for every device's progress at once.
 */
import { systemClock } from '../../lib/clock.js';
import { Coalescer } from '../lib/coalesce.js';
import type { OtaProgress } from '../lib/ota-progress.js';
import { backendOf } from './backend-of.js';
import { connectionStatus, parseIdList } from './status.js';
import type { Node, NodeAPI, NodeDef } from './types.js';

export default function register(RED: NodeAPI): void {
  RED.nodes.registerType('fullstack ota', function (this: Node, def: NodeDef) {
    RED.nodes.createNode(this, def);
    const backend = backendOf(RED, this, def.backend);
    if (!backend) return;
    const devices = parseIdList(def.devices);
    const fleetMode = def.mode === 'fleet';
    const wanted = (device: string) => !devices || devices.has(device);
    const all = () => backend.ota.snapshot().filter((p) => wanted(p.device));
    const summary = () => {
      const updating = all().filter((p) => p.state === 'updating').length;
      const { malformed } = backend.ota.stats();
      const refused = malformed ? ` · ${malformed} malformed event(s) ignored` : '';
      return connectionStatus(backend.state, `${updating} updating${refused}`);
    };
    const throttle = def.throttle === undefined || def.throttle === '' ? 50 : Number(def.throttle);
    const snapshots = new Coalescer(
      systemClock,
      Number.isFinite(throttle) && throttle > 0 ? throttle : 0,
      () => {
        this.send({ topic: 'ota', payload: all() });
        this.status(summary());
      },
    );
    this.status(summary());
    const offState = backend.stateChanges.on(() => this.status(summary()));
    const offChanges = backend.otaChanges.on((progress: OtaProgress) => {
      if (!wanted(progress.device)) return;
      if (fleetMode) {
        snapshots.trigger();
        return;
      }
      this.send({ topic: progress.device, payload: progress, device: progress.device });
      this.status(summary());
    });
    this.on('input', (msg, send, done) => {
      send({ ...msg, topic: 'ota', payload: all() });
      done();
    });
    this.on('close', (_removed, done) => {
      snapshots.cancel();
      offState();
      offChanges();
      done();
    });
  });
}
