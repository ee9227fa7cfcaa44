/**
 * The firmware runtime's Transport, inside the gateway: a serial board's runtime "publishes"
 * straight into ingest (the same validation, session and outbox as MQTT devices), and
 * commands for it arrive as messages on its cmd topic. `done` for a QoS 1 publish runs once
 * ingest let it through, which for telemetry means after the outbox commit: the same promise
 * an MQTT device's PUBACK carries.
 */
import { type Command, cmdTopic } from '../../contract/index.js';
import type {
  ConnectOptions,
  Done,
  Transport,
  TransportEvents,
} from '../../firmware/core/types.js';
import type { Logger } from '../../lib/log.js';
import type { Ingest } from '../ingest.js';

export type LocalLinkState = 'idle' | 'connected' | 'closed';

export interface LocalTransportContext {
  device: string;
  client: string;
  ingest: Ingest;
  log: Logger;
  /** The runtime connected (it will subscribe and send its birth next). */
  onConnected(): void;
  /** The runtime's birth was accepted: it has subscribed, its pins are set up. */
  onBirth(): void;
  /** Acks of the gateway's own commands (re-applied actuator states) stay here. */
  ownAck(payload: string): boolean;
}

export interface LocalTransport extends Transport {
  readonly linkState: LocalLinkState;
  /** Hands a command to the runtime, as if it arrived on its cmd topic. */
  deliver(command: Command): boolean;
  /** The board is gone: the link closes as a broken connection would. */
  drop(reason: string): void;
}

export function createLocalTransport(ctx: LocalTransportContext): LocalTransport {
  let events: TransportEvents | undefined;
  let state: LocalLinkState = 'idle';
  return {
    get linkState() {
      return state;
    },
    open(_options: ConnectOptions, e: TransportEvents) {
      events = e;
      state = 'connected';
      // Asynchronously, as a CONNACK would arrive.
      setImmediate(() => {
        if (state !== 'connected' || events !== e) return;
        ctx.onConnected();
        e.connected();
      });
    },
    publish(topic: string, payload: string, _qos: 0 | 1, done: Done) {
      if (state !== 'connected') return done('not connected');
      if (topic.endsWith('/ack') && ctx.ownAck(payload)) return done(null);
      ctx.ingest
        .receive({ device: ctx.device, client: ctx.client, via: 'serial', topic, payload })
        .then(
          (verdict) => {
            if (verdict.ok && topic.endsWith('/status') && payload.includes('"online":true'))
              ctx.onBirth();
            // A refusal under reject-new must not be acknowledged: the runtime keeps the reading.
            if (!verdict.ok && verdict.reason === 'outbox-full') done(verdict.detail);
            else done(null);
          },
          (error: Error) => {
            ctx.log.error({ err: error.message }, 'ingest failed for a serial board message');
            done(error.message);
          },
        );
    },
    subscribe(topic: string, done: Done) {
      if (topic !== cmdTopic(ctx.device))
        return done(`a serial board may subscribe only to ${cmdTopic(ctx.device)}`);
      done(null);
    },
    end(done: () => void) {
      state = 'closed';
      events = undefined;
      done();
    },
    deliver(command: Command) {
      if (state !== 'connected' || !events) return false;
      events.received(cmdTopic(ctx.device), JSON.stringify(command));
      return true;
    },
    drop(reason: string) {
      if (state !== 'connected') return;
      state = 'closed';
      const e = events;
      events = undefined;
      e?.closed(reason);
    },
  };
}
