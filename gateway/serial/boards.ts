/**
 * Serial boards (USB Firmata): the configured boards are looked for in the serial port list
 * every `scanMs`; a board whose port is present runs the firmware runtime inside the gateway,
 * as a child of the device supervisor, talking to ingest through a local transport.
 * Unplug: the port closes with a disconnect error at once (the scan is only the fallback),
 * the runtime stops with `unplugged`, and the device is offline with that reason. Replug: the
 * next scan finds the port, the runtime starts again (setting its pin modes) and the
 * gateway re-applies the last actuator states the device acknowledged.
 */
import type { Ack, Command, OfflineReason } from '../../contract/index.js';
import { type FirmataDevice, startFirmataDevice } from '../../firmware/node/firmata-device.js';
import { loadDeviceConfig } from '../../hardware/config/index.js';
import type { DeviceConfig } from '../../hardware/config/types.js';
import type { Clock, TimerId } from '../../lib/clock.js';
import type { Logger } from '../../lib/log.js';
import type { GatewaySettings } from '../config.js';
import type { Ingest } from '../ingest.js';
import type { Presence } from '../presence.js';
import type { Db } from '../store.js';
import type { DynamicSupervisor } from '../supervisor/dynamic.js';
import type { ChildHandle } from '../supervisor/types.js';
import { createLocalTransport, type LocalTransport } from './local-transport.js';
import { findPort, type PresentPort, type SerialPortAccess } from './ports.js';

const REAPPLY_PREFIX = 'gw-reapply-';

export type BoardState = 'absent' | 'starting' | 'running' | 'unplugged' | 'failed';

interface Board {
  config: DeviceConfig;
  port: string;
  state: BoardState;
  transport?: LocalTransport;
  device?: FirmataDevice;
  /** Ends the board's child normally (it was unplugged or stopped). */
  finish?: () => void;
}

export interface SerialBoardsContext {
  settings: GatewaySettings['serial'];
  ports: SerialPortAccess;
  clock: Clock;
  log: Logger;
  ingest: Ingest;
  presence: Presence;
  db: Db;
  supervisor: DynamicSupervisor;
  onDeviceReady(device: string): void;
}

export class SerialBoards {
  private readonly boards = new Map<string, Board>();
  private timer: TimerId | undefined;
  private scanning = false;
  /** Why the last port list failed, or null. */
  private listFailure: string | null = null;
  private stopped = false;

  constructor(private readonly ctx: SerialBoardsContext) {}

  status(): Array<{ device: string; port: string; state: BoardState }> {
    return [...this.boards.values()].map((b) => ({
      device: b.config.id,
      port: b.port,
      state: b.state,
    }));
  }

  async start(): Promise<ChildHandle> {
    let finish!: () => void;
    const done = new Promise<void>((resolve) => {
      finish = resolve;
    });
    // With no board configured there is nothing to look for: the port list is not read at all.
    if (this.ctx.settings.enabled && this.ctx.settings.boards.length > 0) {
      for (const entry of this.ctx.settings.boards) {
        const config = loadDeviceConfig(entry.device);
        this.boards.set(config.id, { config, port: entry.port, state: 'absent' });
      }
      await this.scan();
      this.timer = this.ctx.clock.setInterval(() => void this.scan(), this.ctx.settings.scanMs);
    }
    return {
      done,
      stop: async () => {
        this.stopped = true;
        this.ctx.clock.clearInterval(this.timer);
        await Promise.all(
          [...this.boards.values()].map((b) => this.stopBoard(b, 'gateway-stopping')),
        );
        finish();
      },
    };
  }

  markAllOffline(reason: OfflineReason): void {
    for (const b of this.boards.values()) {
      if (b.state === 'running') this.ctx.presence.leave(b.config.id, reason);
    }
  }

  deliver(device: string, command: Command): void {
    const delivered = this.boards.get(device)?.transport?.deliver(command) ?? false;
    if (!delivered)
      this.ctx.log.warn(
        { device, command: command.id },
        'serial board not connected; command not delivered',
      );
  }

  /** Remembers acknowledged actuator states, to re-apply them when the board comes back. */
  onAck(device: string, command: Command, ack: Ack): void {
    if (!ack.ok || command.name !== 'set' || !this.boards.has(device)) return;
    const { actuator, value } = command.args as { actuator?: unknown; value?: unknown };
    if (typeof actuator !== 'string') return;
    this.ctx.db
      .prepare(
        'INSERT INTO actuator_state (device, actuator, value) VALUES (?, ?, ?) ON CONFLICT(device, actuator) DO UPDATE SET value = excluded.value',
      )
      .run(device, actuator, JSON.stringify(value));
  }

  /** One look at the port list: start boards that appeared, mark those that vanished. */
  async scan(): Promise<void> {
    if (this.scanning || this.stopped) return;
    this.scanning = true;
    try {
      const present = await this.listPorts();
      for (const board of this.boards.values()) {
        const port = findPort(present, board.port, this.ctx.ports.exists);
        if (port && (board.state === 'absent' || board.state === 'unplugged')) {
          void this.startBoard(board, port.path);
        } else if (!port && board.state === 'running') {
          this.unplugged(board, 'port no longer listed');
        }
      }
    } catch (error) {
      // Whatever else fails in a scan is tried again next scan.
      this.ctx.log.warn({ err: (error as Error).message }, 'serial port scan failed');
    } finally {
      this.scanning = false;
    }
  }

  /**
   * The port list, or none when listing fails: a configured path that exists is still found
   * (findPort). Linux lists through udevadm, which containers and minimal images lack; that
   * must not keep a board on a configured port offline. Logged when the failure changes, not
   * on every scan.
   */
  private async listPorts(): Promise<PresentPort[]> {
    try {
      const present = await this.ctx.ports.list();
      this.listFailure = null;
      return present;
    } catch (error) {
      const why = (error as Error).message;
      if (why !== this.listFailure)
        this.ctx.log.warn(
          { err: why },
          'cannot list serial ports; looking for the configured ports by path only',
        );
      this.listFailure = why;
      return [];
    }
  }

  private async startBoard(board: Board, path: string): Promise<void> {
    const id = board.config.id;
    board.state = 'starting';
    try {
      await this.ctx.supervisor.startChild({
        id: `serial:${id}`,
        restart: 'transient',
        shutdownMs: 3000,
        start: () => this.runBoard(board, path),
      });
    } catch (error) {
      board.state = 'unplugged';
      this.ctx.log.warn(
        { device: id, port: path, err: (error as Error).message },
        'cannot start serial board',
      );
    }
  }

  private async runBoard(board: Board, path: string): Promise<ChildHandle> {
    const id = board.config.id;
    const log = this.ctx.log.child({ device: id, port: path });
    const transport = createLocalTransport({
      device: id,
      client: `serial:${path}`,
      ingest: this.ctx.ingest,
      log,
      onConnected: () => this.ctx.presence.join(id, 'serial'),
      onBirth: () => {
        this.reapply(board);
        this.ctx.onDeviceReady(id);
      },
      ownAck: (payload) => {
        const ack = JSON.parse(payload) as { id?: unknown; ok?: unknown; error?: unknown };
        if (typeof ack.id !== 'string' || !ack.id.startsWith(REAPPLY_PREFIX)) return false;
        if (ack.ok !== true)
          log.warn({ command: ack.id, error: ack.error }, 'could not re-apply an actuator state');
        return true;
      },
    });
    const done = new Promise<void>((resolve) => {
      board.finish = resolve;
    });
    board.transport = transport;
    board.device = await startFirmataDevice({
      config: board.config,
      port: this.ctx.ports.open(path),
      transport,
      id,
      logger: log,
      onDisconnect: (reason) => this.unplugged(board, reason),
    });
    board.state = 'running';
    log.info('serial board running');
    return { done, stop: () => this.stopBoard(board, 'gateway-stopping') };
  }

  private unplugged(board: Board, reason: string): void {
    if (board.state !== 'running' && board.state !== 'starting') return;
    this.ctx.log.warn({ device: board.config.id, reason }, 'serial board unplugged');
    board.state = 'unplugged';
    this.ctx.presence.leave(board.config.id, 'unplugged');
    board.transport?.drop(reason);
    const device = board.device;
    board.device = undefined;
    // The runtime stops itself on a disconnect; this closes whatever is left, never throwing.
    void device
      ?.stop('unplugged')
      .catch((error: Error) => this.ctx.log.debug({ err: error.message }, 'board already closed'));
    board.finish?.();
  }

  private async stopBoard(board: Board, reason: OfflineReason): Promise<void> {
    const device = board.device;
    board.device = undefined;
    if (board.state === 'running') this.ctx.presence.leave(board.config.id, reason);
    board.state = this.stopped ? 'absent' : board.state;
    try {
      await device?.stop(reason);
    } catch (error) {
      this.ctx.log.warn(
        { device: board.config.id, err: (error as Error).message },
        'serial board did not stop cleanly',
      );
    }
    board.finish?.();
  }

  private reapply(board: Board): void {
    const rows = this.ctx.db
      .prepare('SELECT actuator, value FROM actuator_state WHERE device = ?')
      .all(board.config.id) as Array<{ actuator: string; value: string }>;
    for (const row of rows) {
      board.transport?.deliver({
        id: `${REAPPLY_PREFIX}${row.actuator}-${this.ctx.clock.now()}`,
        name: 'set',
        args: { actuator: row.actuator, value: JSON.parse(row.value) },
      });
    }
  }
}
