/**
 * Ends an MQTT.js client without hanging: `end(false)` waits for in-flight QoS 1 messages to
 * be acknowledged, which never happens if the broker just died with them; after a second the
 * end is forced (the messages stay in the outbox or the broker, nothing is lost).
 */
import type { MqttClient } from 'mqtt';
import type { Clock } from '../lib/clock.js';

const CLEAN_END_MS = 1000;

export function endClient(client: MqttClient, force: boolean, clock: Clock): Promise<void> {
  return new Promise<void>((resolve) => {
    const timer = clock.setTimeout(() => client.end(true, {}, () => resolve()), CLEAN_END_MS);
    client.end(force, {}, () => {
      clock.clearTimeout(timer);
      resolve();
    });
  });
}
