/**
 * `fullstack in`: telemetry from every gateway, filtered by device and sensor. One message per
 * reading (`topic` = `<device>/<sensor>`, `payload` = value) or one per telemetry message.
 */
import { selectTelemetry, type TelemetryMode } from '../lib/telemetry-select.js';
import { backendOf } from './backend-of.js';
import { connectionStatus, parseIdList } from './status.js';
import type { Node, NodeAPI, NodeDef } from './types.js';

export default function register(RED: NodeAPI): void {
  RED.nodes.registerType('fullstack in', function (this: Node, def: NodeDef) {
    RED.nodes.createNode(this, def);
    const backend = backendOf(RED, this, def.backend);
    if (!backend) return;
    const filter = {
      devices: parseIdList(def.devices),
      sensors: parseIdList(def.sensors),
      mode: (def.mode === 'message' ? 'message' : 'reading') as TelemetryMode,
      historical: def.historical === true,
    };
    let count = 0;
    this.status(connectionStatus(backend.state));
    const offState = backend.stateChanges.on((state) => this.status(connectionStatus(state)));
    const offTelemetry = backend.telemetry.on((event) => {
      const messages = selectTelemetry(event, filter);
      if (messages.length === 0) return;
      count += messages.length;
      for (const msg of messages) this.send({ ...msg });
      const last = messages[messages.length - 1];
      this.status(
        connectionStatus(
          backend.state,
          `${count} · ${last?.topic} ${JSON.stringify(last?.payload).slice(0, 24)}`,
        ),
      );
    });
    this.on('close', (_removed, done) => {
      offState();
      offTelemetry();
      done();
    });
  });
}
