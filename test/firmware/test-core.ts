/**
 * The core as the unit tests start it: a plan built for an Uno as the node target builds it,
 * and startCore with the test defaults (boot counter in memory, a silent log, every driver, no
 * jitter, a reboot that does nothing). Each test gives its own transport, IO and clock.
 */
import { ALL_DRIVERS } from '../../firmware/core/drivers/index.js';
import { buildPlan } from '../../firmware/core/plan.js';
import { type CoreContext, startCore } from '../../firmware/core/runtime.js';
import type { RuntimePlan } from '../../firmware/core/types.js';
import { createMemoryBootStore } from '../../firmware/node/boot-store.js';
import { catalogPartFacts } from '../../firmware/node/catalog-facts.js';
import { getBoard } from '../../hardware/boards/index.js';
import type { DeviceConfig } from '../../hardware/config/types.js';

export function unoPlan(config: DeviceConfig): RuntimePlan {
  return buildPlan({
    config,
    board: getBoard('uno'),
    parts: catalogPartFacts(),
    fw: 'fullstack/test',
    id: null,
    sysIntervalMs: null,
  });
}

export function startTestCore(
  context: Pick<CoreContext, 'plan' | 'transport' | 'io' | 'clock'> & Partial<CoreContext>,
) {
  return startCore({
    nextBoot: createMemoryBootStore().nextBoot,
    log: { log() {} },
    drivers: ALL_DRIVERS,
    jitterRandom: () => 0,
    reboot() {},
    ...context,
  });
}
