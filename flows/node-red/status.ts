/** How each FullStack node shows the backend connection's state under it. */
import type { ConnectionState } from '../lib/backend.js';
import type { NodeStatus } from './types.js';

export function connectionStatus(state: ConnectionState, detail?: string): NodeStatus {
  switch (state) {
    case 'connected':
      return { fill: 'green', shape: 'dot', text: detail ?? 'connected' };
    case 'connecting':
      return { fill: 'yellow', shape: 'ring', text: 'connecting' };
    case 'reconnecting':
      return { fill: 'red', shape: 'ring', text: 'disconnected, retrying' };
    case 'closed':
      return { fill: 'grey', shape: 'ring', text: 'closed' };
  }
}

/** Comma- or space-separated ids; empty means "all". */
export function parseIdList(value: unknown): Set<string> | undefined {
  if (typeof value !== 'string' || value.trim() === '') return undefined;
  return new Set(value.split(/[\s,]+/).filter(Boolean));
}
