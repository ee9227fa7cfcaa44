/**
 * Serial boards (USB Firmata): found by listing serial ports, each run by the firmware runtime
 * inside the gateway as a supervised child. (Placeholder until the serial connector lands:
 * it runs no boards yet, but owns the child slot in the tree.)
 */
import type { Ack, Command, OfflineReason } from '../../contract/index.js';
import type { Clock } from '../../lib/clock.js';
import type { Logger } from '../../lib/log.js';
import type { GatewaySettings } from '../config.js';
import type { Ingest } from '../ingest.js';
import type { Presence } from '../presence.js';
import type { Db } from '../store.js';
import type { DynamicSupervisor } from '../supervisor/dynamic.js';
import type { ChildHandle } from '../supervisor/types.js';

export interface SerialBoardsContext {
  settings: GatewaySettings['serial'];
  clock: Clock;
  log: Logger;
  ingest: Ingest;
  presence: Presence;
  db: Db;
  supervisor: DynamicSupervisor;
  onDeviceReady(device: string): void;
}

export class SerialBoards {
  constructor(private readonly ctx: SerialBoardsContext) {}

  async start(): Promise<ChildHandle> {
    let finish!: () => void;
    const done = new Promise<void>((resolve) => {
      finish = resolve;
    });
    this.ctx.log.debug({ enabled: this.ctx.settings.enabled }, 'serial boards');
    return { done, stop: async () => finish() };
  }

  markAllOffline(_reason: OfflineReason): void {}

  deliver(_device: string, _command: Command): void {}

  onAck(_device: string, _command: Command, _ack: Ack): void {}
}
