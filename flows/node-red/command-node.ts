/**
 * `fullstack command`: sends a command to a device through its gateway and waits for the ack.
 * Output 1: the device acked (`payload.status` "ok", `payload.result`). Output 2: an error ack
 * or a timeout (`payload.status` "error" or "timeout", `payload.error`). The input message's
 * other properties are kept, so a dashboard or an HTTP request can be answered.
 */
import { DEVICE_ID_PATTERN } from '../../contract/topics.js';
import { backendOf } from './backend-of.js';
import { connectionStatus } from './status.js';
import type { Node, NodeAPI, NodeDef } from './types.js';

const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

export default function register(RED: NodeAPI): void {
  RED.nodes.registerType('fullstack command', function (this: Node, def: NodeDef) {
    RED.nodes.createNode(this, def);
    const backend = backendOf(RED, this, def.backend);
    if (!backend) return;
    const defaultTimeoutMs = Math.max(0.1, Number(def.timeout) || 10) * 1000;
    this.status(connectionStatus(backend.state, 'ready'));
    const offState = backend.stateChanges.on((state) =>
      this.status(connectionStatus(state, 'ready')),
    );
    this.on('input', async (msg, send, done) => {
      const device = String(msg.device ?? def.device ?? '');
      const name = String(msg.command ?? def.command ?? '');
      const args = isObject(msg.payload) ? msg.payload : isObject(msg.args) ? msg.args : {};
      const timeoutMs = typeof msg.timeoutMs === 'number' ? msg.timeoutMs : defaultTimeoutMs;
      if (!DEVICE_ID_PATTERN.test(device)) {
        done(new Error(`msg.device "${device}" is not a device id (${DEVICE_ID_PATTERN.source})`));
        return;
      }
      if (!/^[a-z][a-z0-9_-]{0,31}$/.test(name)) {
        done(
          new Error(`msg.command "${name}" is not a command name (set, ping, interval, reboot…)`),
        );
        return;
      }
      this.status({ fill: 'blue', shape: 'dot', text: `${name} → ${device}…` });
      const outcome = await backend.sendCommand({ device, name, args, timeoutMs });
      const out = { ...msg, payload: outcome };
      if (outcome.status === 'ok') {
        this.status({
          fill: 'green',
          shape: 'dot',
          text: `${name} → ${device}: ok (${outcome.ms} ms)`,
        });
        send([out, null]);
      } else {
        this.status({ fill: 'red', shape: 'dot', text: `${name} → ${device}: ${outcome.status}` });
        send([null, out]);
      }
      done();
    });
    this.on('close', (_removed, done) => {
      offState();
      done();
    });
  });
}
