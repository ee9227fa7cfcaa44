/**
 * Retained messages by topic, for Aedes's memory persistence.
 *
 * To answer a SUBSCRIBE, aedes-persistence (retainedMessagesByPattern) tests every retained
 * topic against each filter. Every device subscribes to its own cmd topic and every device
 * has a retained status, so 10,000 devices connecting cost 10,000 × 10,000 topic matches:
 * minutes of CPU for a reconnect storm after the gateway restarts. A filter without
 * wildcards names one topic, so here it is answered from an index kept beside the store;
 * a filter with wildcards goes to the store as before.
 */
import { Readable } from 'node:stream';

interface RetainedPacket {
  topic: string;
  payload: Buffer | string;
}

interface RetainedStore {
  storeRetained(packet: RetainedPacket, cb?: (error?: Error | null) => void): unknown;
  createRetainedStreamCombi(patterns: string[]): Readable;
}

const hasWildcard = (filter: string) => filter.includes('+') || filter.includes('#');

/** Patches the persistence in place; call it before any retained message is stored. */
export function indexRetained(persistence: RetainedStore): void {
  const byTopic = new Map<string, RetainedPacket>();
  const store = persistence.storeRetained.bind(persistence);
  const scan = persistence.createRetainedStreamCombi.bind(persistence);
  persistence.storeRetained = (packet, cb) => {
    // As the memory store does: an empty payload clears the topic's retained message.
    if (packet.payload.length === 0) byTopic.delete(packet.topic);
    else byTopic.set(packet.topic, { ...packet });
    return store(packet, cb);
  };
  persistence.createRetainedStreamCombi = (patterns) => {
    if (patterns.some(hasWildcard)) return scan(patterns);
    const found: RetainedPacket[] = [];
    for (const topic of new Set(patterns)) {
      const packet = byTopic.get(topic);
      if (packet) found.push(packet);
    }
    return Readable.from(found);
  };
}
