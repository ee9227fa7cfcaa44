/**
 * `npm run bench`: the FullStack benchmark.
 *
 * SHARED FILE: several parts of FullStack report their figures through this runner (the
 * gateway load, the firmware budget…). Extend it with your measurement; do not replace it,
 * and keep the last line of output the one JSON object described in docs/benchmarks.md.
 *
 * Order of the runs (each target a process of its own, on free loopback ports):
 *   1. the gateway (`fullstack gateway`): throughput, then latency at a fixed offered rate
 *   2. a plain Aedes broker: the same two loads, for the ratio
 *   3. a fresh gateway: memory per idle connected device, alongside the firmware budget
 * Then the console summary, docs/benchmarks.md, and the JSON line.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FromFirmwareWorker } from './firmware-worker.js';
import { SLOW_MS } from './load-protocol.js';
import { describeMachine } from './machine.js';
import { type BenchOptions, parseBenchOptions } from './options.js';
import { hotSpots } from './profile.js';
import {
  type BenchFigures,
  consoleReport,
  markdownReport,
  perCpuSecond,
  summarize,
} from './report.js';
import {
  type LoadFigures,
  measureIdle,
  measurePhase,
  openFleet,
  scrapeGateway,
  settleAfterLoad,
} from './scenarios.js';
import { startBrokerTarget, startGatewayTarget, type Target } from './targets.js';
import { next, spawnWorker } from './workers.js';

/** Settings for every benchmark gateway: the defaults, except no serial port scanning. */
const GATEWAY_ENV = { FULLSTACK_GATEWAY_SERIAL_ENABLED: 'false' };

interface RunContext {
  options: BenchOptions;
  tmp: string;
  /** Targets still running, stopped on the way out whatever happens. */
  running: Set<Target>;
  log(line: string): void;
}

async function withTarget<T>(
  ctx: RunContext,
  start: () => Promise<Target>,
  use: (t: Target) => Promise<T>,
): Promise<T> {
  const target = await start();
  ctx.running.add(target);
  try {
    return await use(target);
  } finally {
    const t0 = Date.now();
    await target.stop();
    ctx.running.delete(target);
    ctx.log(`${target.kind} stopped in ${Date.now() - t0} ms`);
  }
}

function describeLoad(name: string, f: LoadFigures): string {
  const r = f.result;
  return `${name}: ${Math.round(r.messagesPerSecond)} messages/s (${Math.round(r.readingsPerSecond)} readings/s), p50 ${r.latency.p50} ms, p99 ${r.latency.p99} ms${r.toGateway ? ` (to the gateway: p50 ${r.toGateway.p50} ms, p99 ${r.toGateway.p99} ms)` : ''}, lost ${r.lost}, unacked ${r.unacked}, duplicates ${r.duplicates}${r.drainCut ? ' (wait cut: lost includes late messages)' : ''}${slowSeconds(r.slowPerSecond, r.elapsedMs)}${f.mode.kind === 'rate' ? `; generator: longest tick gap ${Math.round(r.generatorStall.maxGapMs)} ms, largest burst ${r.generatorStall.maxBurst}` : ''}; backend subscriber stalled ≤ ${Math.round(r.backendStallMs)} ms, CPU ${Math.round(f.proc.cpuPercent)}% = ${Math.round(perCpuSecond(f))} messages per CPU-second (bench process ${Math.round(f.generator.cpuPercent)}%); first publish to last receipt ${r.elapsedMs} ms${f.loop ? `; event loop busy ${Math.round(f.loop.busyPercent)}%, timer delay p99 ≤ ${f.loop.delayP99Ms} ms, max ≤ ${f.loop.delayMaxMs} ms, GC minor ${f.loop.gc.minor.count}× ${Math.round(f.loop.gc.minor.totalMs)} ms, major ${f.loop.gc.major.count}× ${Math.round(f.loop.gc.major.totalMs)} ms (longest ≤ ${f.loop.gc.major.maxMs} ms), ${f.loop.sync.count} disk syncs (mean ${f.loop.sync.meanMs.toFixed(2)} ms, p99 ≤ ${f.loop.sync.p99Ms} ms), ${f.loop.restartCheckpoints.count} RESTART checkpoints (${Math.round(f.loop.restartCheckpoints.totalMs)} ms, longest ≤ ${f.loop.restartCheckpoints.maxMs} ms)` : ''}`;
}

/** Where the slow messages were: `; over 50 ms: 1,234 in 3 of 20 s (s4 900, s11 300, …)`. */
function slowSeconds(perSecond: number[], elapsedMs: number): string {
  const total = perSecond.reduce((a, b) => a + b, 0);
  if (total === 0) return '';
  const worst = perSecond
    .map((n, s) => ({ n, s }))
    .filter((x) => x.n > 0)
    .sort((a, b) => b.n - a.n);
  const listed = worst.slice(0, 6).map((x) => `s${x.s} ${x.n}`);
  return `; over ${SLOW_MS} ms: ${total} in ${worst.length} of ${Math.ceil(elapsedMs / 1000)} s (${listed.join(', ')}${worst.length > 6 ? ', …' : ''})`;
}

/**
 * The fixed-rate load's first seconds, left out of its latency (it still counts for loss):
 * after the quiet spell before it the gateway took one to two seconds to reach its steady
 * state (1,000 to 14,000 messages over 50 ms there, the longer the spell the more), and the
 * p99 target is about the steady state at that rate.
 */
const RATE_WARMUP_MS = 2000;

/** Throughput, then the fixed rate (skipped with `withRate` false), on one fleet of devices. */
async function twoLoads(ctx: RunContext, target: Target, tag: string, withRate: boolean) {
  const o = ctx.options;
  const fleet = await openFleet(target, o.devices, o.workers, tag);
  try {
    ctx.log(`${tag}: ${fleet.connected} devices connected in ${fleet.connectMs} ms`);
    ctx.log(`${tag}: throughput for ${o.durationMs / 1000} s…`);
    const throughput = await measurePhase(
      target,
      fleet,
      { kind: 'max', window: o.window },
      o.durationMs,
      o.drainTimeoutMs,
    );
    ctx.log(describeLoad(`${tag} throughput`, throughput));
    if (!withRate) return { throughput, rate: undefined };
    const settled = await settleAfterLoad(target, 20_000);
    ctx.log(
      `${tag}: ${settled.quiet ? 'quiet' : 'still busy'} after ${Math.round(settled.ms / 100) / 10} s`,
    );
    ctx.log(
      `${tag}: ${o.rate} messages/s offered for ${RATE_WARMUP_MS / 1000} + ${o.rateDurationMs / 1000} s (latency over the last ${o.rateDurationMs / 1000})…`,
    );
    const rate = await measurePhase(
      target,
      fleet,
      { kind: 'rate', perSecond: o.rate, maxInFlight: 1000 },
      o.rateDurationMs,
      o.drainTimeoutMs,
      RATE_WARMUP_MS,
    );
    ctx.log(describeLoad(`${tag} fixed rate`, rate));
    return { throughput, rate };
  } finally {
    const t0 = Date.now();
    await fleet.close();
    ctx.log(`${tag}: devices disconnected in ${Date.now() - t0} ms`);
  }
}

/** The firmware budget, in a worker thread of its own (a crash there is reported, not fatal). */
async function firmwareBudget(ctx: RunContext): Promise<BenchFigures['firmware']> {
  const worker = spawnWorker('firmware-worker', undefined);
  worker.on('message', (m: FromFirmwareWorker) => {
    if (m.type === 'log') ctx.log(m.line);
  });
  try {
    const done = await next<Extract<FromFirmwareWorker, { type: 'done' }>>(
      worker,
      ['done'],
      180_000,
      'firmware budget',
    );
    return done.figures;
  } catch (error) {
    ctx.log(`firmware budget failed: ${(error as Error).message}`);
    return { failed: (error as Error).message };
  } finally {
    // Its sandboxes may leave timers behind; the worker goes with them.
    await worker.terminate();
  }
}

async function run(ctx: RunContext): Promise<BenchFigures> {
  const t0 = Date.now();
  const machine = describeMachine();
  const o = ctx.options;
  const profileDir = o.profile ? (o.profileDir ?? join(ctx.tmp, 'profile')) : undefined;
  if (profileDir) mkdirSync(profileDir, { recursive: true });

  const gateway = await withTarget(
    ctx,
    () =>
      startGatewayTarget({
        dataDir: join(ctx.tmp, 'gateway'),
        settingsEnv: { ...GATEWAY_ENV, ...o.gatewayEnv },
        cpuProfDir: profileDir,
        nodeFlags: o.nodeFlags,
      }),
    async (target) => {
      const loads = await twoLoads(ctx, target, 'gw', true);
      return {
        throughput: loads.throughput,
        rate: loads.rate as LoadFigures,
        counts: await scrapeGateway(target),
      };
    },
  );
  const profile = profileDir ? hotSpots(profileDir) : undefined;

  // --quick skips the broker's fixed-rate run: the ratio needs only its throughput.
  const broker = await withTarget(ctx, startBrokerTarget, (target) =>
    twoLoads(ctx, target, 'br', !o.quick),
  );

  // The last two side by side: idle memory reads only the gateway's RSS, and the firmware
  // budget (bench/firmware-budget.ts, not in --quick) measures sizes, not time.
  const idleRun = async (): Promise<BenchFigures['idle']> => {
    if (o.idleDevices === 0) return undefined;
    ctx.log(`idle: ${o.idleDevices} devices on a fresh gateway…`);
    const idle = await withTarget(
      ctx,
      () =>
        startGatewayTarget({
          dataDir: join(ctx.tmp, 'gateway-idle'),
          settingsEnv: { ...GATEWAY_ENV, ...o.gatewayEnv },
          nodeFlags: o.nodeFlags,
        }),
      (target) => measureIdle(target, o.idleDevices, o.workers, o.quick ? 2000 : 10_000),
    );
    ctx.log(`idle: ${Math.round(idle.bytesPerDevice)} bytes per device`);
    return idle;
  };
  const firmwareRun = async () => {
    if (!o.firmware) return undefined;
    ctx.log('firmware budget: Espruino bundles…');
    return firmwareBudget(ctx);
  };
  const [idle, firmware] = await Promise.all([idleRun(), firmwareRun()]);

  // The same idle devices on a fresh plain broker, for what Aedes alone costs per connection
  // (not in --quick: another 10,000 handshakes take about a minute here).
  let idleBroker: BenchFigures['idleBroker'];
  if (!o.quick && o.idleDevices > 0) {
    ctx.log(`idle: ${o.idleDevices} devices on a fresh plain broker…`);
    idleBroker = await withTarget(ctx, startBrokerTarget, (target) =>
      measureIdle(target, o.idleDevices, o.workers, 10_000),
    );
    ctx.log(`idle (plain broker): ${Math.round(idleBroker.bytesPerDevice)} bytes per device`);
  }

  return {
    machine,
    options: o,
    gateway,
    broker,
    idle,
    idleBroker,
    profile,
    firmware,
    wallSeconds: (Date.now() - t0) / 1000,
  };
}

async function main(): Promise<void> {
  const started = Date.now();
  const options = parseBenchOptions(process.argv.slice(2));
  const ctx: RunContext = {
    options,
    tmp: mkdtempSync(join(tmpdir(), 'fullstack-bench-')),
    running: new Set(),
    log: (line) => console.log(`[${((Date.now() - started) / 1000).toFixed(1)} s] ${line}`),
  };
  const cleanUp = async () => {
    await Promise.all([...ctx.running].map((t) => t.stop()));
    rmSync(ctx.tmp, { recursive: true, force: true });
  };
  const onSignal = () => {
    void cleanUp().finally(() => process.exit(130));
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  // Whatever ends the process (even an uncaught exception), the temp dir goes with it; the
  // targets' own exit hooks (targets.ts) kill any child still running.
  process.once('exit', () => rmSync(ctx.tmp, { recursive: true, force: true }));
  try {
    const figures = await run(ctx);
    console.log(consoleReport(figures));
    if (options.docs) {
      writeFileSync(options.docs, markdownReport(figures));
      console.log(`\nFigures written to ${options.docs}`);
    }
    // The last line: one JSON object (issue 5, item 9).
    console.log(JSON.stringify(summarize(figures)));
  } finally {
    await cleanUp();
  }
}

main().then(
  () => process.exit(0),
  (error: Error) => {
    console.error(`bench: ${error.stack ?? error.message}`);
    process.exit(1);
  },
);
