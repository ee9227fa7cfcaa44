/**
 * A device on a Firmata board: the serial port, johnny-five + firmata-io, and the runtime.
 * The gateway calls startFirmataDevice for each USB board it hosts; `fullstack device run
 * --port` and `--simulate` (a virtual board on serialport's mock binding) come through here.
 */
import { SerialPort } from 'serialport';
import type { OfflineReason } from '../../contract/payloads.js';
import { getBoard } from '../../hardware/boards/index.js';
import type { BoardProfile } from '../../hardware/config/types.js';
import { type FirmataConnection, openFirmataIO, type SerialLike } from './firmata-io.js';
import { type DeviceRuntime, type StartDeviceOptions, startDeviceRuntime } from './start.js';

/** StandardFirmata's serial speed. */
export const FIRMATA_BAUD = 57600;

export interface StartFirmataDeviceOptions extends Omit<StartDeviceOptions, 'io' | 'board'> {
  /** A serial port path (/dev/ttyACM0), or an open port-like stream (SerialPort, SerialPortMock). */
  port: string | SerialLike;
  board?: BoardProfile;
  /** The board went away (unplugged, port closed): the runtime has stopped with `unplugged`. */
  onDisconnect?: (reason: string) => void;
  timeoutMs?: number;
}

export interface FirmataDevice extends DeviceRuntime {
  readonly connection: FirmataConnection;
}

export async function startFirmataDevice(
  options: StartFirmataDeviceOptions,
): Promise<FirmataDevice> {
  const board = options.board ?? getBoard(options.config.board);
  if (board.target !== 'node-firmata') {
    throw new Error(`board "${board.id}" runs ${board.target}, not Firmata over a serial port`);
  }
  const port: SerialLike =
    typeof options.port === 'string'
      ? (new SerialPort({ path: options.port, baudRate: FIRMATA_BAUD }) as unknown as SerialLike)
      : options.port;
  let runtime: DeviceRuntime | null = null;
  let closing = false;
  const connection = await openFirmataIO({
    port,
    board,
    timeoutMs: options.timeoutMs,
    onDisconnect: (reason) => {
      // The port reports a loss several ways (disconnect, close, error): act on the first.
      if (closing) return;
      closing = true;
      options.logger?.warn({ reason }, 'board disconnected');
      // The will would say "lost"; we know better: the board is gone, the link to the broker is not.
      const current = runtime;
      if (current) void current.stop('unplugged').then(() => options.onDisconnect?.(reason));
    },
  });
  const started = startDeviceRuntime({ ...options, board, io: connection.io });
  runtime = started;
  return {
    get id() {
      return started.id;
    },
    get plan() {
      return started.plan;
    },
    get state() {
      return started.state;
    },
    connection,
    async stop(reason: OfflineReason = 'clean') {
      closing = true;
      await started.stop(reason);
      await connection.close();
    },
  };
}
