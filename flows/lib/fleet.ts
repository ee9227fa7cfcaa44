/**
 * The backend's view of the fleet: every device any gateway told us about, whether it is
 * online and why not, its board, firmware and parts, when it was last heard and its latest
 * reading per sensor. Built only from the upstream topics (full state and diffs).
 */
import type {
  ActuatorInfo,
  ForwardedTelemetry,
  OfflineReason,
  PresenceEntry,
  PresenceFull,
  ReadingValue,
  SensorInfo,
} from '../../contract/index.js';
import type { StoredReading } from './store.js';

export interface LatestReading {
  value: ReadingValue;
  ts: number;
  unit?: string;
}

export interface DeviceView {
  device: string;
  gateway: string;
  online: boolean;
  reason?: OfflineReason;
  /** When the current state began. */
  since: number;
  /** When the gateway last received anything from it (telemetry rx). */
  lastSeen?: number;
  board?: string;
  fw?: string;
  via?: 'mqtt' | 'serial';
  sensors: SensorInfo[];
  actuators: ActuatorInfo[];
  readings: Record<string, LatestReading>;
}

export type FleetChange =
  | {
      type: 'presence';
      device: string;
      gateway: string;
      online: boolean;
      reason?: OfflineReason;
      since: number;
    }
  | { type: 'reading'; device: string; readings: Record<string, LatestReading> };

export class FleetState {
  private readonly devices = new Map<string, DeviceView>();
  /** The store's newest readings per device, given at start (see seedStored). */
  private readonly stored = new Map<string, StoredReading[]>();

  /**
   * The newest stored readings, read from the store when the backend starts: a device a
   * gateway reports afterwards starts with its last readings and last-seen time instead of
   * blanks until new data arrives. Live readings that are newer win.
   */
  seedStored(rows: readonly StoredReading[]): void {
    for (const row of rows) {
      const list = this.stored.get(row.device) ?? [];
      list.push(row);
      this.stored.set(row.device, list);
    }
    for (const view of this.devices.values()) this.applyStored(view);
  }

  private applyStored(view: DeviceView): void {
    for (const row of this.stored.get(view.device) ?? []) {
      view.lastSeen = Math.max(view.lastSeen ?? 0, row.rx);
      const previous = view.readings[row.sensor];
      if (previous && previous.ts >= row.ts) continue;
      const unit = view.sensors.find((s) => s.id === row.sensor)?.unit;
      view.readings[row.sensor] =
        unit === undefined
          ? { value: row.value, ts: row.ts }
          : { value: row.value, ts: row.ts, unit };
    }
  }

  /** A gateway's whole state: devices it no longer lists are marked offline (it forgot them). */
  applyFull(gateway: string, full: PresenceFull): FleetChange[] {
    const listed = new Set(full.devices.map((e) => e.device));
    const changes = full.devices.flatMap((entry) => this.applyEntry(gateway, entry));
    for (const view of this.devices.values()) {
      if (view.gateway === gateway && view.online && !listed.has(view.device)) {
        changes.push(
          ...this.applyEntry(gateway, {
            device: view.device,
            online: false,
            reason: 'lost',
            since: full.ts,
          }),
        );
      }
    }
    return changes;
  }

  applyDiff(gateway: string, changes: readonly PresenceEntry[]): FleetChange[] {
    return changes.flatMap((entry) => this.applyEntry(gateway, entry));
  }

  /** Live readings update the latest values; replayed (historical) ones only `lastSeen`. */
  applyTelemetry(gateway: string, items: readonly ForwardedTelemetry[]): FleetChange[] {
    const changes: FleetChange[] = [];
    for (const item of items) {
      const view = this.ensure(item.device, gateway);
      view.lastSeen = Math.max(view.lastSeen ?? 0, item.rx ?? item.ts);
      if (item.historical) continue;
      const updated: Record<string, LatestReading> = {};
      for (const [sensor, value] of Object.entries(item.readings)) {
        const previous = view.readings[sensor];
        if (previous && previous.ts > item.ts) continue;
        const unit = view.sensors.find((s) => s.id === sensor)?.unit;
        const latest: LatestReading =
          unit === undefined ? { value, ts: item.ts } : { value, ts: item.ts, unit };
        view.readings[sensor] = latest;
        updated[sensor] = latest;
      }
      if (Object.keys(updated).length)
        changes.push({ type: 'reading', device: item.device, readings: updated });
    }
    return changes;
  }

  get(device: string): DeviceView | undefined {
    return this.devices.get(device);
  }

  /** Every device, sorted by id (a copy: callers may send it anywhere). */
  snapshot(): DeviceView[] {
    return [...this.devices.values()]
      .sort((a, b) => (a.device < b.device ? -1 : a.device > b.device ? 1 : 0))
      .map((view) => structuredClone(view));
  }

  private ensure(device: string, gateway: string): DeviceView {
    let view = this.devices.get(device);
    if (!view) {
      view = { device, gateway, online: false, since: 0, sensors: [], actuators: [], readings: {} };
      this.devices.set(device, view);
      this.applyStored(view);
    }
    return view;
  }

  private applyEntry(gateway: string, entry: PresenceEntry): FleetChange[] {
    const view = this.ensure(entry.device, gateway);
    view.gateway = gateway;
    const changed =
      view.online !== entry.online || view.reason !== entry.reason || view.since === 0;
    view.online = entry.online;
    view.since = entry.since;
    if (entry.online) delete view.reason;
    else view.reason = entry.reason ?? 'lost';
    if (entry.via) view.via = entry.via;
    if (entry.birth) {
      view.board = entry.birth.board;
      view.fw = entry.birth.fw;
      view.sensors = entry.birth.sensors;
      view.actuators = entry.birth.actuators;
      // Readings known before the birth (from the store) get their units now.
      for (const sensor of view.sensors) {
        const latest = view.readings[sensor.id];
        if (latest && latest.unit === undefined) latest.unit = sensor.unit;
      }
    }
    if (!changed) return [];
    const change: FleetChange = {
      type: 'presence',
      device: view.device,
      gateway,
      online: view.online,
      since: view.since,
    };
    if (view.reason) change.reason = view.reason;
    return [change];
  }
}
