/**
 * Commands downstream: the backend sends `fs/gw/v1/<gw>/cmd`, the router delivers it on the
 * device's `cmd` topic and answers upstream on `ack` with the device's ack, or with its own
 * failure: `timeout` (no ack in time), `offline` (no TTL given), `expired` (the TTL ran out
 * before the sleepy device came back). Commands waiting for a device are kept on disk, so
 * they survive a gateway restart.
 */
import {
  type Ack,
  type Command,
  checkCommand,
  DEVICE_ID_PATTERN,
  type UpstreamAck,
  type UpstreamCommand,
} from '../contract/index.js';
import type { Clock, TimerId } from '../lib/clock.js';
import type { Logger } from '../lib/log.js';
import type { GatewaySettings } from './config.js';
import type { Counter } from './metrics.js';
import type { Db } from './store.js';

export interface CommandRouterContext {
  clock: Clock;
  settings: GatewaySettings['commands'];
  db: Db;
  log: Logger;
  counter: Counter;
  isOnline(device: string): boolean;
  /** Publishes on the device's cmd topic (or hands it to a serial board). */
  deliver(device: string, command: Command): void;
  /** Publishes on the upstream ack topic. */
  answer(ack: UpstreamAck): void;
  /** A device acknowledged a command; e.g. a serial connector remembers actuator states. */
  onDeviceAck?(device: string, command: Command, ack: Ack): void;
}

interface Waiting {
  command: Command;
  timeoutMs: number;
  timer: TimerId;
}

export class CommandRouter {
  /** Delivered and waiting for the device's ack, by device then command id. */
  private readonly inFlight = new Map<string, Map<string, Waiting>>();
  private readonly expiryTimers = new Map<string, TimerId>();

  constructor(private readonly ctx: CommandRouterContext) {}

  /** Validates an upstream command; returns a precise error for a bad one. */
  static parse(
    value: unknown,
  ): { ok: true; value: UpstreamCommand } | { ok: false; detail: string } {
    if (typeof value !== 'object' || value === null)
      return { ok: false, detail: 'command is not a JSON object' };
    const v = value as Record<string, unknown>;
    if (typeof v.device !== 'string' || !DEVICE_ID_PATTERN.test(v.device)) {
      return {
        ok: false,
        detail: `field device is ${JSON.stringify(v.device)}, expected an id matching ${DEVICE_ID_PATTERN.source}`,
      };
    }
    const checked = checkCommand({ id: v.id, name: v.name, args: v.args ?? {} });
    if (!checked.ok) return { ok: false, detail: checked.detail };
    for (const key of ['timeoutMs', 'ttlMs'] as const) {
      const n = v[key];
      if (n !== undefined && !(typeof n === 'number' && Number.isInteger(n) && n >= 0)) {
        return {
          ok: false,
          detail: `field ${key} is ${JSON.stringify(n)}, expected an integer >= 0 (ms)`,
        };
      }
    }
    return { ok: true, value: { ...(v as unknown as UpstreamCommand), args: checked.value.args } };
  }

  submit(request: UpstreamCommand): void {
    const command: Command = { id: request.id, name: request.name, args: request.args };
    const timeoutMs = request.timeoutMs ?? this.ctx.settings.defaultTimeoutMs;
    if (this.ctx.isOnline(request.device)) {
      this.send(request.device, command, timeoutMs);
      return;
    }
    const ttlMs = Math.min(request.ttlMs ?? 0, this.ctx.settings.maxTtlMs);
    if (ttlMs <= 0) {
      this.fail(
        request.device,
        command.id,
        'offline',
        'device is offline and the command has no ttlMs',
      );
      return;
    }
    const expires = this.ctx.clock.now() + ttlMs;
    this.ctx.db
      .prepare(
        'INSERT OR REPLACE INTO pending_commands (id, device, expires, body) VALUES (?, ?, ?, ?)',
      )
      .run(command.id, request.device, expires, JSON.stringify({ command, timeoutMs }));
    this.armExpiry(request.device, command.id, ttlMs);
    this.ctx.counter.inc({ outcome: 'queued' });
  }

  /** The device is back: deliver what waited for it, oldest first. */
  deviceOnline(device: string): void {
    const rows = this.ctx.db
      .prepare('SELECT id, expires, body FROM pending_commands WHERE device = ? ORDER BY rowid')
      .all(device) as Array<{ id: string; expires: number; body: string }>;
    if (rows.length === 0) return;
    this.ctx.db.prepare('DELETE FROM pending_commands WHERE device = ?').run(device);
    const now = this.ctx.clock.now();
    for (const row of rows) {
      this.disarmExpiry(device, row.id);
      const { command, timeoutMs } = JSON.parse(row.body) as {
        command: Command;
        timeoutMs: number;
      };
      if (row.expires <= now)
        this.fail(device, row.id, 'expired', 'the ttl ran out before the device came back');
      else this.send(device, command, timeoutMs);
    }
  }

  /** A device's ack; unknown ids (a late ack after a timeout) are still passed upstream. */
  deviceAck(device: string, ack: Ack): void {
    const waiting = this.inFlight.get(device)?.get(ack.id);
    if (waiting) {
      this.ctx.clock.clearTimeout(waiting.timer);
      this.inFlight.get(device)?.delete(ack.id);
      this.ctx.onDeviceAck?.(device, waiting.command, ack);
    }
    this.ctx.counter.inc({ outcome: ack.ok ? 'ok' : 'error' });
    this.ctx.answer({ device, ack });
  }

  /** Re-arms expiry timers for commands kept on disk (after a restart). */
  restore(): void {
    const now = this.ctx.clock.now();
    const rows = this.ctx.db
      .prepare('SELECT id, device, expires FROM pending_commands')
      .all() as Array<{
      id: string;
      device: string;
      expires: number;
    }>;
    for (const row of rows) this.armExpiry(row.device, row.id, Math.max(0, row.expires - now));
  }

  stop(): void {
    for (const perDevice of this.inFlight.values()) {
      for (const w of perDevice.values()) this.ctx.clock.clearTimeout(w.timer);
    }
    this.inFlight.clear();
    for (const t of this.expiryTimers.values()) this.ctx.clock.clearTimeout(t);
    this.expiryTimers.clear();
  }

  private send(device: string, command: Command, timeoutMs: number): void {
    const timer = this.ctx.clock.setTimeout(() => {
      this.inFlight.get(device)?.delete(command.id);
      this.fail(device, command.id, 'timeout', `no ack within ${timeoutMs} ms`);
    }, timeoutMs);
    let perDevice = this.inFlight.get(device);
    if (!perDevice) {
      perDevice = new Map();
      this.inFlight.set(device, perDevice);
    }
    perDevice.set(command.id, { command, timeoutMs, timer });
    this.ctx.counter.inc({ outcome: 'delivered' });
    this.ctx.deliver(device, command);
  }

  private fail(
    device: string,
    id: string,
    code: 'timeout' | 'offline' | 'expired',
    why: string,
  ): void {
    this.ctx.log.info({ device, command: id, code }, `command failed: ${why}`);
    this.ctx.counter.inc({ outcome: code });
    this.ctx.answer({ device, ack: { id, ok: false, error: code } });
  }

  private armExpiry(device: string, id: string, ms: number): void {
    const key = `${device}\0${id}`;
    this.ctx.clock.clearTimeout(this.expiryTimers.get(key));
    this.expiryTimers.set(
      key,
      this.ctx.clock.setTimeout(() => {
        this.expiryTimers.delete(key);
        const removed = this.ctx.db
          .prepare('DELETE FROM pending_commands WHERE device = ? AND id = ?')
          .run(device, id);
        if (removed.changes > 0)
          this.fail(device, id, 'expired', 'the ttl ran out before the device came back');
      }, ms),
    );
  }

  private disarmExpiry(device: string, id: string): void {
    const key = `${device}\0${id}`;
    this.ctx.clock.clearTimeout(this.expiryTimers.get(key));
    this.expiryTimers.delete(key);
  }
}
