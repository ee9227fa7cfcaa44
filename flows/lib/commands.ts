/**
 * Commands from the backend to a device, and their outcome: the device's ack, its error ack,
 * the gateway's own failure (offline, unknown device…, sent as an error ack) or, when nothing
 * comes back in time, a timeout decided here. Time is injected so tests can drive it.
 */
import { randomBytes } from 'node:crypto';
import type { Ack, UpstreamAck, UpstreamCommand } from '../../contract/index.js';
import type { Clock, TimerId } from '../../lib/clock.js';

export const DEFAULT_COMMAND_TIMEOUT_MS = 10_000;

export type CommandOutcome =
  | { status: 'ok'; device: string; id: string; name: string; result?: unknown; ms: number }
  | { status: 'error'; device: string; id: string; name: string; error: string; ms: number }
  | { status: 'timeout'; device: string; id: string; name: string; error: string; ms: number };

export interface CommandRequest {
  device: string;
  name: string;
  args?: Record<string, unknown>;
  timeoutMs?: number;
  ttlMs?: number;
}

interface Pending {
  command: UpstreamCommand;
  started: number;
  timer: TimerId;
  resolve: (outcome: CommandOutcome) => void;
}

export class CommandTracker {
  private readonly pending = new Map<string, Pending>();

  constructor(
    private readonly clock: Clock,
    /** Publishes the command towards the device's gateway; throws when it cannot. */
    private readonly publish: (command: UpstreamCommand) => Promise<void>,
  ) {}

  /** Sends a command; the promise resolves with its outcome (it never rejects on timeout). */
  async send(request: CommandRequest): Promise<CommandOutcome> {
    const timeoutMs = request.timeoutMs ?? DEFAULT_COMMAND_TIMEOUT_MS;
    const command: UpstreamCommand = {
      device: request.device,
      id: `c-${randomBytes(6).toString('hex')}`,
      name: request.name,
      args: request.args ?? {},
      timeoutMs,
    };
    if (request.ttlMs !== undefined) command.ttlMs = request.ttlMs;
    const started = this.clock.now();
    const outcome = new Promise<CommandOutcome>((resolve) => {
      const timer = this.clock.setTimeout(() => {
        this.pending.delete(command.id);
        resolve({
          status: 'timeout',
          device: command.device,
          id: command.id,
          name: command.name,
          error: `no ack from ${command.device} within ${timeoutMs} ms`,
          ms: this.clock.now() - started,
        });
      }, timeoutMs);
      this.pending.set(command.id, { command, started, timer, resolve });
    });
    try {
      await this.publish(command);
    } catch (error) {
      this.settle(command.id, {
        id: command.id,
        ok: false,
        error: `not sent: ${(error as Error).message}`,
      });
    }
    return outcome;
  }

  /** Feeds an ack from a gateway; returns false when no command waits for it (late or foreign). */
  handleAck(message: UpstreamAck): boolean {
    const pending = this.pending.get(message.ack.id);
    if (!pending || pending.command.device !== message.device) return false;
    return this.settle(message.ack.id, message.ack);
  }

  get inFlight(): number {
    return this.pending.size;
  }

  /** Ends every waiting command as an error (the connection is closing). */
  cancelAll(reason: string): void {
    for (const id of [...this.pending.keys()]) this.settle(id, { id, ok: false, error: reason });
  }

  private settle(id: string, ack: Ack): boolean {
    const pending = this.pending.get(id);
    if (!pending) return false;
    this.pending.delete(id);
    this.clock.clearTimeout(pending.timer);
    const { device, name } = pending.command;
    const ms = this.clock.now() - pending.started;
    const base = { device, id, name, ms };
    if (ack.ok) {
      pending.resolve(
        ack.result === undefined
          ? { status: 'ok', ...base }
          : { status: 'ok', ...base, result: ack.result },
      );
    } else if (ack.error === 'timeout') {
      pending.resolve({
        status: 'timeout',
        ...base,
        error: `the gateway timed out waiting for ${device}`,
      });
    } else pending.resolve({ status: 'error', ...base, error: ack.error });
    return true;
  }
}
