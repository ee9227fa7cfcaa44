/**
 * `fullstack presence`: online/offline changes with their reason, or (mode `fleet`) the whole
 * fleet (presence, board, firmware, latest readings) whenever anything changes, at most once
 * per `throttle` ms (default 50; 0 for every change). Any input message asks for the current
 * fleet at once (a dashboard that just opened).
 */
import { systemClock } from '../../lib/clock.js';
import { Coalescer } from '../lib/coalesce.js';
import type { FleetChange } from '../lib/fleet.js';
import { backendOf } from './backend-of.js';
import { connectionStatus, parseIdList } from './status.js';
import type { Node, NodeAPI, NodeDef } from './types.js';

export default function register(RED: NodeAPI): void {
  RED.nodes.registerType('fullstack presence', function (this: Node, def: NodeDef) {
    RED.nodes.createNode(this, def);
    const backend = backendOf(RED, this, def.backend);
    if (!backend) return;
    const devices = parseIdList(def.devices);
    const fleetMode = def.mode === 'fleet';
    const wanted = (device: string) => !devices || devices.has(device);
    const fleet = () => backend.fleet.snapshot().filter((d) => wanted(d.device));
    const summary = () => {
      const all = fleet();
      return connectionStatus(
        backend.state,
        `${all.filter((d) => d.online).length}/${all.length} online`,
      );
    };
    const throttle = def.throttle === undefined || def.throttle === '' ? 50 : Number(def.throttle);
    const snapshots = new Coalescer(
      systemClock,
      Number.isFinite(throttle) && throttle > 0 ? throttle : 0,
      () => {
        this.send({ topic: 'fleet', payload: fleet() });
        this.status(summary());
      },
    );
    this.status(summary());
    const offState = backend.stateChanges.on(() => this.status(summary()));
    const offChanges = backend.changes.on((changes: FleetChange[]) => {
      const relevant = changes.filter(
        (c) => wanted(c.device) && (fleetMode || c.type === 'presence'),
      );
      if (relevant.length === 0) return;
      if (fleetMode) {
        snapshots.trigger();
        return;
      }
      for (const change of relevant) {
        if (change.type !== 'presence') continue;
        this.send({ topic: change.device, payload: change, device: change.device });
      }
      this.status(summary());
    });
    this.on('input', (msg, send, done) => {
      send({ ...msg, topic: 'fleet', payload: fleet() });
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
