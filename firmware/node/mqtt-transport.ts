/**
 * The core's Transport over MQTT.js. One MQTT.js client per connection attempt, with its own
 * reconnect turned off: the core owns the reconnect loop (backoff, jitter, resubscribe) so the
 * node and espruino targets behave the same. Keepalive is MQTT.js's.
 */
import mqtt, { type MqttClient } from 'mqtt';
import type { Done, Transport, TransportEvents } from '../core/types.js';

export interface MqttTransportOptions {
  /** mqtt://host:port (or mqtts://, ws://). */
  url: string;
  /** The broker's credentials (absent: none). */
  username?: string;
  password?: string;
  connectTimeoutMs?: number;
}

export function createMqttTransport(options: MqttTransportOptions): Transport {
  let client: MqttClient | null = null;

  return {
    open(connectOptions, events: TransportEvents) {
      if (client) client.end(true);
      let closed = false;
      const current = mqtt.connect(options.url, {
        clientId: connectOptions.clientId,
        keepalive: connectOptions.keepaliveS,
        username: options.username ?? undefined,
        password: options.password ?? undefined,
        // The contract's will: QoS 1, retained (ConnectOptions).
        will: {
          topic: connectOptions.willTopic,
          payload: Buffer.from(connectOptions.willPayload),
          qos: 1,
          retain: true,
        },
        protocolVersion: 4,
        clean: true,
        reconnectPeriod: 0,
        connectTimeout: options.connectTimeoutMs ?? 10_000,
        resubscribe: false,
      });
      client = current;
      const close = (reason: string) => {
        if (closed) return;
        closed = true;
        // Flushes the callbacks of unacknowledged publishes with an error: the core resends them.
        current.end(true);
        events.closed(reason);
      };
      let lastError = 'connection closed';
      current.on('connect', () => events.connected());
      current.on('message', (topic, payload) => events.received(topic, payload.toString('utf8')));
      current.on('error', (error) => {
        lastError = error.message;
        // A refused CONNACK or a socket error: MQTT.js emits close afterwards; make sure of it.
        if (!current.connected) close(lastError);
      });
      current.on('close', () => close(lastError));
      current.on('offline', () => close(lastError));
    },
    publish(topic, payload, qos, done: Done, retain) {
      const current = client;
      if (!current?.connected) return done('not connected');
      current.publish(topic, payload, { qos, retain: retain === true }, (error) =>
        done(error ? error.message : null),
      );
    },
    subscribe(topic, done: Done) {
      const current = client;
      if (!current?.connected) return done('not connected');
      current.subscribe(topic, { qos: 1 }, (error, granted) => {
        if (error) return done(error.message);
        const refused = granted?.find((g) => g.qos === 128);
        done(refused ? `subscription to ${topic} refused by the broker` : null);
      });
    },
    end(done) {
      const current = client;
      client = null;
      if (!current) return done();
      if (!current.connected) {
        current.end(true, {}, () => done());
        return;
      }
      current.end(false, {}, () => done());
    },
  };
}
