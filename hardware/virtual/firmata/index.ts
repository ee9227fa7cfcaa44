/**
 * A virtual Arduino running StandardFirmata, behind a serial port: `attach(stream)` for any
 * Duplex, `attachMock(path)` for serialport's mock binding (unit tests), `openPty()` for a real
 * pseudo-terminal that serialport, firmata and johnny-five open like a USB board.
 *
 *   const world = createWorld({ seed: 7, clock });
 *   const board = createVirtualFirmataBoard({ board: 'uno', world, parts: [{ part: 'tmp36', pin: 'A0' }] });
 *   const { path } = await board.openPty();   // new SerialPort({ path, baudRate: 57600 })
 *   board.pinState('13')                       // { mode: 'OUTPUT', value: 1, … }
 *   board.unplug(); await board.replug();
 */
import type { Duplex } from 'node:stream';
import { type Clock, systemClock } from '../../../lib/clock.js';
import type { DeviceConfig } from '../../config/types.js';
import { createWorld, type World, worldOptionsFromSimulation } from '../world.js';
import {
  FirmataBoardCore,
  type FirmwareIdentity,
  type PinStateView,
  STANDARD_FIRMATA,
} from './board-core.js';
import { attachMockPort, detachMockPort, setUnplugged } from './mock-port.js';
import { type VirtualBoardId, type VirtualBoardProfile, virtualBoardProfile } from './pins.js';
import { PtyConnector } from './pty-connector.js';
import { buildWiring, partsFromDevice, type VirtualPart } from './wiring.js';

export type { PinStateView } from './board-core.js';
export { STANDARD_FIRMATA } from './board-core.js';
export { VIRTUAL_BOARD_IDS, type VirtualBoardId } from './pins.js';
export { SIMULATED_PARTS, type VirtualPart } from './wiring.js';

export interface VirtualFirmataBoardOptions {
  /** uno (default), nano or mega; defaults to device.board when a device is given. */
  board?: VirtualBoardId;
  /** The world the parts sense; default: a new world from device.simulation (seed, world). */
  world?: World;
  /** A device config: its sensors are wired to the board (pin, address, params). */
  device?: DeviceConfig;
  /** Parts wired to the board, in addition to the device's sensors. */
  parts?: VirtualPart[];
  clock?: Clock;
  /** REPORT_FIRMWARE identity (default StandardFirmata.ino 2.5). */
  firmware?: Partial<FirmwareIdentity>;
}

/** Where the board's serial side is: nowhere, a Duplex, a mock port or a pseudo-terminal. */
export type BoardConnection =
  | { kind: 'none' }
  | { kind: 'stream'; stream: Duplex; onData: (data: Buffer) => void }
  | { kind: 'mock'; path: string }
  | { kind: 'pty'; connector: PtyConnector };

export type PlugState = 'plugged' | 'unplugged';

export class VirtualFirmataBoard {
  readonly profile: VirtualBoardProfile;
  readonly world: World;
  readonly core: FirmataBoardCore;
  private connection: BoardConnection = { kind: 'none' };
  private plug: PlugState = 'plugged';
  private readonly ownsWorld: boolean;

  constructor(options: VirtualFirmataBoardOptions = {}) {
    const clock = options.clock ?? options.world?.clock ?? systemClock;
    const boardId = options.board ?? options.device?.board ?? 'uno';
    if (options.device && options.board && options.device.board !== options.board) {
      throw new Error(
        `virtual board: board "${options.board}" differs from device "${options.device.id}"'s board "${options.device.board}"`,
      );
    }
    this.profile = virtualBoardProfile(boardId);
    this.ownsWorld = options.world === undefined;
    this.world =
      options.world ??
      createWorld({ clock, ...worldOptionsFromSimulation(options.device?.simulation) });
    const parts = [
      ...(options.device ? partsFromDevice(options.device) : []),
      ...(options.parts ?? []),
    ];
    this.core = new FirmataBoardCore({
      profile: this.profile,
      wiring: buildWiring(parts, this.profile, this.world),
      world: this.world,
      clock,
      firmware: { ...STANDARD_FIRMATA, ...options.firmware },
    });
  }

  get connectionKind(): BoardConnection['kind'] {
    return this.connection.kind;
  }

  get plugState(): PlugState {
    return this.plug;
  }

  /** Connects the board to the board's end of a link (it reads what the host sent and writes
   *  what the host will read) and powers it up. */
  attach(stream: Duplex): void {
    this.requireUnconnected();
    const onData = (data: Buffer) => this.core.receive(data);
    this.connection = { kind: 'stream', stream, onData };
    stream.on('data', onData);
    stream.once('close', () => this.core.stop());
    // A reply never arrives within the host's own write call on a real link; deferring keeps
    // that true for in-memory streams that deliver synchronously (order is kept: FIFO).
    this.core.start((bytes) =>
      setImmediate(() => {
        if (!stream.destroyed && stream.writable) stream.write(Buffer.from(bytes));
      }),
    );
  }

  /** Disconnects whatever the board is attached to; the board powers down. */
  detach(): void {
    const connection = this.connection;
    this.connection = { kind: 'none' };
    this.core.stop();
    if (connection.kind === 'stream') connection.stream.off('data', connection.onData);
    if (connection.kind === 'mock') detachMockPort(connection.path);
    if (connection.kind === 'pty') void connection.connector.close();
  }

  /** Creates mock serial port `path`; the board powers up whenever a host opens it. */
  async attachMock(path: string): Promise<void> {
    this.requireUnconnected();
    this.connection = { kind: 'mock', path };
    try {
      await attachMockPort(
        path,
        {
          onOpen: (write) => this.core.start((bytes) => write(Buffer.from(bytes))),
          onData: (bytes) => this.core.receive(bytes),
          onClose: () => this.core.stop(),
        },
        this.profile.usb,
      );
    } catch (err) {
      this.connection = { kind: 'none' };
      throw err;
    }
  }

  /** Opens a pseudo-terminal; `path` (a symlink that survives replugging) is what hosts open. */
  async openPty(): Promise<{ path: string; close(): Promise<void> }> {
    this.requireUnconnected();
    const connector = new PtyConnector({
      onOpen: (write) => this.core.start(write),
      onData: (bytes) => this.core.receive(bytes),
      onClose: () => this.core.stop(),
    });
    this.connection = { kind: 'pty', connector };
    try {
      await connector.plug();
    } catch (err) {
      this.connection = { kind: 'none' };
      await connector.close();
      throw err;
    }
    return { path: connector.path, close: () => connector.close() };
  }

  /** Pulls the USB cable: the host's open port closes with a disconnect error. */
  unplug(): void {
    if (this.plug === 'unplugged') return;
    this.plug = 'unplugged';
    this.core.powerOff();
    const connection = this.connection;
    if (connection.kind === 'mock') setUnplugged(connection.path, true);
    if (connection.kind === 'pty') connection.connector.unplug();
    if (connection.kind === 'stream') connection.stream.destroy();
  }

  /** Plugs the cable back in: the same path can be opened again and the board boots afresh. */
  async replug(): Promise<void> {
    if (this.plug === 'plugged') return;
    const connection = this.connection;
    if (connection.kind === 'mock') setUnplugged(connection.path, false);
    if (connection.kind === 'pty') await connection.connector.plug();
    this.plug = 'plugged';
  }

  /** A pin's mode and value, by name ("13", "D13", "A0") or number. */
  pinState(name: string | number): PinStateView {
    return this.core.pinState(name);
  }

  async close(): Promise<void> {
    const connection = this.connection;
    this.detach();
    if (connection.kind === 'pty') await connection.connector.close();
    if (this.ownsWorld) this.world.close();
  }

  private requireUnconnected(): void {
    if (this.connection.kind !== 'none') {
      throw new Error(`virtual board: already attached (${this.connection.kind}); detach() first`);
    }
  }
}

export function createVirtualFirmataBoard(
  options: VirtualFirmataBoardOptions = {},
): VirtualFirmataBoard {
  return new VirtualFirmataBoard(options);
}
