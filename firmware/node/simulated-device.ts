/**
 * `--simulate`: the device runs on a virtual board in a simulated world, in-process. A Firmata
 * board profile (Uno, Nano, Mega) gets the virtual Firmata board behind serialport's mock
 * binding, so johnny-five and firmata-io run exactly as on a USB Arduino. Other boards (a Pi,
 * Espruino boards run on Node for a demo) read the world directly (plain-sim-io.ts).
 */
import { SerialPortMock } from 'serialport';
import type { OfflineReason } from '../../contract/payloads.js';
import { getBoard } from '../../hardware/boards/index.js';
import type { DeviceConfig } from '../../hardware/config/types.js';
import {
  createVirtualFirmataBoard,
  VIRTUAL_BOARD_IDS,
  type VirtualFirmataBoard,
} from '../../hardware/virtual/firmata/index.js';
import {
  createWorld,
  type World,
  worldOptionsFromSimulation,
} from '../../hardware/virtual/world.js';
import { FIRMATA_BAUD, startFirmataDevice } from './firmata-device.js';
import type { SerialLike } from './firmata-io.js';
import { createPlainSimIO } from './plain-sim-io.js';
import { type DeviceRuntime, type StartDeviceOptions, startDeviceRuntime } from './start.js';

export type SimulatedDeviceOptions = Omit<StartDeviceOptions, 'io'>;

export interface SimulatedDevice extends DeviceRuntime {
  /** `virtual-firmata` or `plain` (no board model for this profile). */
  readonly simulation: 'virtual-firmata' | 'plain';
  /** The simulated world the sensors read: scriptable (setTemperature, pressButton…). */
  readonly world: World;
  /** The virtual Firmata board, when the profile has one (pin states for tests). */
  readonly virtualBoard: VirtualFirmataBoard | null;
}

export async function startSimulatedDevice(
  options: SimulatedDeviceOptions,
): Promise<SimulatedDevice> {
  const board = options.board ?? getBoard(options.config.board);
  const id = options.id ?? options.config.id;
  const clock = options.clock;
  // A device run under another id (`fullstack up --devices 5` runs sim-4 from sim-1's config)
  // gets a world of its own: the seed is mixed with the id, or sim-4 would echo sim-1.
  if (id !== options.config.id) options = { ...options, config: reseeded(options.config, id) };
  if ((VIRTUAL_BOARD_IDS as readonly string[]).includes(board.id)) {
    const virtual = createVirtualFirmataBoard({ device: options.config, clock });
    const path = `/dev/fullstack-virtual-${id}-${process.pid}`;
    await virtual.attachMock(path);
    const port = new SerialPortMock({ path, baudRate: FIRMATA_BAUD }) as unknown as SerialLike;
    const device = await startFirmataDevice({ ...options, board, port });
    return {
      simulation: 'virtual-firmata',
      world: virtual.world,
      virtualBoard: virtual,
      get id() {
        return device.id;
      },
      get plan() {
        return device.plan;
      },
      get state() {
        return device.state;
      },
      async stop(reason: OfflineReason = 'clean') {
        await device.stop(reason);
        await virtual.close();
      },
    };
  }
  const world = createWorld({ clock, ...worldOptionsFromSimulation(options.config.simulation) });
  const device = startDeviceRuntime({
    ...options,
    board,
    io: createPlainSimIO(options.config, board, world),
  });
  return {
    simulation: 'plain',
    world,
    virtualBoard: null,
    get id() {
      return device.id;
    },
    get plan() {
      return device.plan;
    },
    get state() {
      return device.state;
    },
    async stop(reason: OfflineReason = 'clean') {
      await device.stop(reason);
      world.close();
    },
  };
}

export function reseeded(config: DeviceConfig, id: string): DeviceConfig {
  let hash = 0;
  for (let i = 0; i < id.length; i++) hash = (Math.imul(hash, 31) + id.charCodeAt(i)) | 0;
  const seed = ((config.simulation?.seed ?? 1) + hash) >>> 0;
  return { ...config, simulation: { ...config.simulation, seed } };
}
