/**
 * What the fleet-style nodes (`fullstack presence`, `fullstack ota`) share. Mode `fleet` (the
 * dashboard's) sends the whole snapshot as one message per change, at most once per `throttle`
 * ms (default 50; 0 for every change); mode `changes` sends one message per device update. Any
 * input message asks for the current snapshot at once (a dashboard that just opened).
 */
import { systemClock } from '../../lib/clock.js';
import type { Backend } from '../lib/backend.js';
import { Coalescer } from '../lib/coalesce.js';
import { connectionStatus, parseIdList } from './status.js';
import type { Node, NodeDef } from './types.js';

/** One device's update, sent as its own message in `changes` mode. */
export interface DeviceUpdate {
  device: string;
  payload: unknown;
}

export interface SnapshotSource<T extends { device: string }> {
  /** The topic of the snapshot message ('fleet', 'ota'). */
  topic: string;
  snapshot(backend: Backend): T[];
  /** The status text under the node, from the (filtered) snapshot. */
  summary(items: T[], backend: Backend): string;
  /** Subscribes to the backend's changes; `notify` gets the updates `changes` mode sends (in
   *  `fleet` mode any non-empty call refreshes the snapshot). Returns the unsubscribe. */
  subscribe(
    backend: Backend,
    wanted: (device: string) => boolean,
    fleetMode: boolean,
    notify: (updates: DeviceUpdate[]) => void,
  ): () => void;
}

const DEFAULT_THROTTLE_MS = 50;

function throttleOf(def: NodeDef): number {
  if (def.throttle === undefined || def.throttle === '') return DEFAULT_THROTTLE_MS;
  const ms = Number(def.throttle);
  return Number.isFinite(ms) && ms > 0 ? ms : 0;
}

export function wireSnapshotNode<T extends { device: string }>(
  node: Node,
  def: NodeDef,
  backend: Backend,
  source: SnapshotSource<T>,
): void {
  const devices = parseIdList(def.devices);
  const fleetMode = def.mode === 'fleet';
  const wanted = (device: string) => !devices || devices.has(device);
  const snapshot = () => source.snapshot(backend).filter((item) => wanted(item.device));
  const showStatus = () =>
    node.status(connectionStatus(backend.state, source.summary(snapshot(), backend)));
  const snapshots = new Coalescer(systemClock, throttleOf(def), () => {
    node.send({ topic: source.topic, payload: snapshot() });
    showStatus();
  });
  showStatus();
  const offState = backend.stateChanges.on(showStatus);
  const offChanges = source.subscribe(backend, wanted, fleetMode, (updates) => {
    if (fleetMode) {
      snapshots.trigger();
      return;
    }
    for (const update of updates) {
      node.send({ topic: update.device, payload: update.payload, device: update.device });
    }
    showStatus();
  });
  node.on('input', (msg, send, done) => {
    send({ ...msg, topic: source.topic, payload: snapshot() });
    done();
  });
  node.on('close', (_removed, done) => {
    snapshots.cancel();
    offState();
    offChanges();
    done();
  });
}
