/**
 * startDeviceRuntime: the core runtime on Node, with everything it needs injected. The CLI's
 * `fullstack device run`, the gateway (hosting Firmata boards) and tests all start devices here.
 */
import type { OfflineReason } from '../../contract/payloads.js';
import { getBoard } from '../../hardware/boards/index.js';
import type { BoardProfile, DeviceConfig } from '../../hardware/config/types.js';
import { type Clock, systemClock } from '../../lib/clock.js';
import { type Logger, silentLogger } from '../../lib/log.js';
import type { ExtraCommands } from '../core/commands.js';
import { ALL_DRIVERS } from '../core/drivers/index.js';
import { buildPlan } from '../core/plan.js';
import { type CoreRuntime, type CoreState, startCore } from '../core/runtime.js';
import type { BackoffPolicy, BootStore, PinIO, RuntimePlan, Transport } from '../core/types.js';
import { createMemoryBootStore } from './boot-store.js';
import { catalogPartFacts } from './catalog-facts.js';
import { pinoRuntimeLog } from './log.js';
import { createMqttTransport } from './mqtt-transport.js';
import { firmwareId } from './profiles.js';

export interface StartDeviceOptions {
  config: DeviceConfig;
  /** The board profile; loaded by `config.board` when absent. */
  board?: BoardProfile;
  /** Either a ready Transport or a broker URL (an MQTT.js transport is made for it). */
  transport?: Transport;
  brokerUrl?: string;
  username?: string;
  password?: string;
  io: PinIO;
  clock?: Clock;
  /** The boot counter; in memory when absent. */
  store?: BootStore;
  logger?: Logger;
  /** Overrides the config's device id. */
  id?: string;
  sysIntervalMs?: number;
  /** Reconnect backoff (default: 0.5 s doubling to 30 s, 50% jitter). */
  backoff?: BackoffPolicy;
  random?: () => number;
  /** The firmware id in the birth (default fullstack/<version>); a hosted OTA slot's own fw. */
  fw?: string;
  /** Commands beyond the core's (OTA's `ota-*` under the firmware host: nodeOtaCommands()). */
  extraCommands?: ExtraCommands;
  /** Runs when a birth was acknowledged (under the firmware host: reportBirthToHost()). */
  birthAcknowledged?: () => void;
}

export interface DeviceRuntime {
  readonly id: string;
  readonly plan: RuntimePlan;
  /** The connection state, boot, last seq, buffered and dropped counts. */
  readonly state: CoreState;
  /** Publishes `{"online":false,"reason":…}` (retained) and disconnects cleanly. */
  stop(reason?: OfflineReason): Promise<void>;
}

export function startDeviceRuntime(options: StartDeviceOptions): DeviceRuntime {
  const board = options.board ?? getBoard(options.config.board);
  const plan = buildPlan({
    config: options.config,
    board,
    parts: catalogPartFacts(),
    fw: options.fw ?? firmwareId(),
    id: options.id ?? null,
    sysIntervalMs: options.sysIntervalMs ?? null,
  });
  if (options.backoff) {
    // The core takes the jitter as it is (firmware/core/backoff.ts): out of 0..1 it would make
    // a negative or longer delay.
    const jitter = options.backoff.jitter;
    if (!(jitter >= 0 && jitter <= 1)) throw new Error(`backoff.jitter: ${jitter} (allowed 0..1)`);
    plan.backoff = options.backoff;
  }
  const brokerUrl = options.brokerUrl ?? options.config.broker?.url;
  if (!options.transport && !brokerUrl) {
    throw new Error(
      `device ${plan.id}: no broker (give --broker, a transport, or broker.url in the config)`,
    );
  }
  const transport =
    options.transport ??
    createMqttTransport({
      url: brokerUrl as string,
      username: options.username ?? options.config.broker?.username,
      password: options.password ?? options.config.broker?.password,
    });
  const logger = (options.logger ?? silentLogger()).child({ device: plan.id });
  const store = options.store ?? createMemoryBootStore();
  let core: CoreRuntime;
  let stopping: Promise<void> | null = null;

  const boot = (): CoreRuntime =>
    startCore({
      plan,
      transport,
      io: options.io,
      clock: options.clock ?? systemClock,
      nextBoot: () => store.nextBoot(),
      log: pinoRuntimeLog(logger),
      drivers: ALL_DRIVERS,
      jitterRandom: options.random ?? Math.random,
      extraCommands: options.extraCommands,
      birthAcknowledged: options.birthAcknowledged,
      // A Node device "reboots" in-process: a clean goodbye, then a new boot with seq from 1.
      reboot: () => {
        if (stopping) return;
        logger.info('rebooting on command');
        core.stop('clean', () => {
          if (!stopping) core = boot();
        });
      },
    });
  core = boot();

  return {
    id: plan.id,
    plan,
    get state() {
      return core.state();
    },
    stop(reason: OfflineReason = 'clean') {
      if (!stopping) stopping = new Promise<void>((resolve) => core.stop(reason, resolve));
      return stopping;
    },
  };
}
