/**
 * How a node finds its configured backend. Type-only import of Backend: each node is bundled on
 * its own, and only the config node's bundle should carry the MQTT client and the store.
 */
import type { Backend } from '../lib/backend.js';
import type { Node, NodeAPI } from './types.js';

export interface BackendNode extends Node {
  backend: Backend;
}

/** The backend of the config node `id`, or undefined after reporting the missing config. */
export function backendOf(RED: NodeAPI, node: Node, id: unknown): Backend | undefined {
  const config = typeof id === 'string' ? (RED.nodes.getNode(id) as BackendNode | null) : null;
  if (!config?.backend) {
    node.status({ fill: 'red', shape: 'ring', text: 'no backend configured' });
    node.error('no FullStack backend is configured on this node');
    return undefined;
  }
  return config.backend;
}
