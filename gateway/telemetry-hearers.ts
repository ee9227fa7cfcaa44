/**
 * Whether anyone on the device-side broker could hear device telemetry (`fs/v1/<id>/telemetry`).
 *
 * Telemetry goes upstream through the outbox, not through the broker: once ingest has taken
 * a reading, Aedes's own routing of it (a topic match in the subscription trie, another in
 * the offline-session store, a Packet object) serves only a client that subscribed to device
 * telemetry, such as a loopback tool watching `fs/v1/#`. With no such subscription the
 * gateway skips that routing, which is about a tenth of a telemetry message's cost.
 *
 * Counted from Aedes's `subscribe` and `unsubscribe` events, per connection; a clean session's
 * subscriptions end with its connection. A persistent session (clean = false) keeps its
 * subscriptions while offline, and Aedes queues messages for it, so such a subscriber counts
 * until it unsubscribes, connected or not.
 */
import type { Aedes, Client } from 'aedes';

const TELEMETRY = ['fs', 'v1', undefined, 'telemetry'] as const;

/** True if `filter` matches `fs/v1/<some id>/telemetry` (MQTT 3.1.1 §4.7 wildcards). */
export function hearsTelemetry(filter: string): boolean {
  let levels = filter.split('/');
  // A shared subscription ($share/<group>/<filter>) hears what its filter hears.
  if (levels[0] === '$share') levels = levels.slice(2);
  else if (filter.startsWith('$')) return false; // [MQTT-4.7.2-1]
  for (let i = 0; i < TELEMETRY.length; i++) {
    const level = levels[i];
    if (level === '#') return true;
    if (level === undefined) return false;
    const want = TELEMETRY[i];
    if (level !== '+' && want !== undefined && level !== want) return false;
  }
  return levels.length === TELEMETRY.length || (levels.length === 5 && levels[4] === '#');
}

export class TelemetryHearers {
  /** Per connection (or, for a persistent session, per client id): its filters that hear telemetry. */
  private readonly byClient = new Map<Client | string, Set<string>>();

  /** Someone could receive device telemetry from the broker. */
  any(): boolean {
    return this.byClient.size > 0;
  }

  attach(aedes: Aedes): void {
    aedes.on('subscribe', (subscriptions, client) => {
      for (const s of subscriptions) {
        // Aedes reports a refused filter with qos 128 (SUBACK failure), outside QoS's type.
        if ((s.qos as number) === 128 || !hearsTelemetry(s.topic)) continue;
        const key = this.key(client);
        let filters = this.byClient.get(key);
        if (!filters) {
          filters = new Set();
          this.byClient.set(key, filters);
        }
        filters.add(s.topic);
      }
    });
    aedes.on('unsubscribe', (unsubscriptions, client) => {
      const key = this.key(client);
      const filters = this.byClient.get(key);
      if (!filters) return;
      for (const topic of unsubscriptions) filters.delete(topic);
      if (filters.size === 0) this.byClient.delete(key);
    });
    aedes.on('clientDisconnect', (client) => {
      this.byClient.delete(client); // a clean session's subscriptions go with it
    });
  }

  private key(client: Client): Client | string {
    return client.clean ? client : `persistent:${client.id}`;
  }
}
