/**
 * Turns a run's figures into the console summary, the one-line JSON result and
 * docs/benchmarks.md (regenerated on every run that writes docs; edit the text here).
 */

import { int, kib, mib, round, table } from './format.js';
import { SLOW_MS } from './load-protocol.js';
import type { Machine } from './machine.js';
import type { BenchOptions } from './options.js';
import type { ProfileSummary } from './profile.js';
import { METHOD } from './report-method.js';
import type { GatewayCounts, IdleFigures, LoadFigures } from './scenarios.js';

export interface BenchFigures {
  machine: Machine;
  options: BenchOptions;
  gateway: { throughput: LoadFigures; rate: LoadFigures; counts: GatewayCounts | undefined };
  /** The broker's fixed-rate run is skipped by --quick. */
  broker: { throughput: LoadFigures; rate: LoadFigures | undefined };
  idle: IdleFigures | undefined;
  /** The same idle devices on a plain broker (full runs only). */
  idleBroker: IdleFigures | undefined;
  profile: ProfileSummary | undefined;
  /** bench/firmware-budget.ts figures, or why it failed; undefined: not run (--quick, --no-firmware). */
  firmware: Record<string, number> | { failed: string } | undefined;
  wallSeconds: number;
}

export interface TargetCheck {
  target: string;
  measured: string;
  met: boolean | undefined;
}

export interface Summary {
  /** Sensor values per second end to end (the unit); `messagesPerSecond` carry them. */
  readingsPerSecond: number;
  messagesPerSecond: number;
  p99Ms: number;
  lost: number;
  duplicates: number;
  ratioToBroker: number;
}

export function summarize(f: BenchFigures): Summary {
  const g = f.gateway;
  return {
    readingsPerSecond: round(g.throughput.result.readingsPerSecond),
    messagesPerSecond: round(g.throughput.result.messagesPerSecond),
    p99Ms: g.rate.result.latency.p99,
    lost: g.throughput.result.lost + g.rate.result.lost,
    duplicates: g.throughput.result.duplicates + g.rate.result.duplicates,
    // The same devices and payloads on both: the ratio of messages is that of readings.
    ratioToBroker: round(
      g.throughput.result.messagesPerSecond /
        Math.max(1, f.broker.throughput.result.messagesPerSecond),
      3,
    ),
  };
}

/** Readings per message as received (2 with the bench's devices, BENCH_SENSORS). */
export function readingsPerMessage(l: LoadFigures): number {
  return l.result.readingsReceived / Math.max(1, l.result.received);
}

export function checkTargets(f: BenchFigures): TargetCheck[] {
  const g = f.gateway;
  const rate = g.rate.result;
  const offeredOk = rate.offeredPerSecond >= 0.95 * f.options.rate;
  const checks: TargetCheck[] = [
    {
      target:
        '≥ 50,000 readings/s end to end (a reading: one sensor value), outbox durable (synchronous FULL)',
      measured: `${int(g.throughput.result.readingsPerSecond)} readings/s = ${int(g.throughput.result.messagesPerSecond)} messages/s × ${round(readingsPerMessage(g.throughput), 2)} readings each (${int(perCpuSecond(g.throughput))} messages per gateway CPU-second)`,
      met: g.throughput.result.readingsPerSecond >= 50_000,
    },
    {
      target: `p99 < 50 ms at ${int(f.options.rate)} messages/s offered`,
      measured: `p99 ${rate.latency.p99} ms (p50 ${rate.latency.p50} ms) at ${int(rate.offeredPerSecond)} messages/s offered${offeredOk ? '' : ', below the rate asked'}`,
      met: f.options.rate >= 10_000 && offeredOk ? rate.latency.p99 < 50 : undefined,
    },
    {
      target: 'zero loss (PUBACKed messages the backend never received)',
      measured: `${g.throughput.result.lost + rate.lost} lost of ${int(g.throughput.result.acked + rate.acked)} acknowledged`,
      met: g.throughput.result.lost + rate.lost === 0,
    },
  ];
  if (f.idle) {
    checks.push({
      target: '≤ 20 KB of gateway memory per idle connected device (at 10,000 devices)',
      measured: `${kib(f.idle.bytesPerDevice)} per device with ${int(f.idle.connected)} connected`,
      met: f.idle.connected >= 10_000 ? f.idle.bytesPerDevice <= 20 * 1024 : undefined,
    });
  }
  return checks;
}

function mode(l: LoadFigures): string {
  if (l.mode.kind === 'max') return `as fast as acknowledged (window ${l.mode.window} per device)`;
  if (l.mode.kind === 'rate') return `${int(l.mode.perSecond)} messages/s offered`;
  return 'idle';
}

/** Messages per second of the target's CPU time: its ceiling on one free core, whatever else runs. */
export function perCpuSecond(l: LoadFigures): number {
  return l.result.received / Math.max(0.001, l.proc.cpuSeconds);
}

function loadRows(gw: LoadFigures, br: LoadFigures | undefined): string[][] {
  const row = (name: string, fn: (l: LoadFigures) => string) => [
    name,
    fn(gw),
    br ? fn(br) : 'not run (--quick)',
  ];
  return [
    row('load', mode),
    row('devices connected', (l) => int(l.result.connected)),
    row('**messages/s** received by the backend', (l) => `**${int(l.result.messagesPerSecond)}**`),
    row(
      'readings/s received (sensor values)',
      (l) => `${int(l.result.readingsPerSecond)} (${round(readingsPerMessage(l), 2)} per message)`,
    ),
    row('messages/s offered', (l) => int(l.result.offeredPerSecond)),
    row('latency p50 / p99 / max (ms)', (l) => {
      const x = l.result.latency;
      return `${x.p50} / ${x.p99} / ${x.max}`;
    }),
    row('of which device → gateway receipt p50 / p99 (ms)', (l) => {
      const x = l.result.toGateway;
      return x ? `${x.p50} / ${x.p99}` : '(no gateway)';
    }),
    row(`messages over ${SLOW_MS} ms: count, seconds with any (of the load's)`, (l) => {
      const perSecond = l.result.slowPerSecond;
      const seconds = perSecond.filter((n) => n > 0).length;
      const total = perSecond.reduce((a, b) => a + b, 0);
      return `${int(total)}, ${seconds} of ${Math.ceil(l.result.elapsedMs / 1000)}`;
    }),
    row('generator stalls: longest tick gap (ms), largest burst / subscriber late (ms)', (l) => {
      const g = l.result.generatorStall;
      const gen =
        l.mode.kind === 'rate' ? `${round(g.maxGapMs)}, ${int(g.maxBurst)}` : '(no ticks)';
      return `${gen} / ${round(l.result.backendStallMs)}`;
    }),
    row('sent / acknowledged / received', (l) => {
      const r = l.result;
      return `${int(r.sent)} / ${int(r.acked)} / ${int(r.received)}`;
    }),
    row('lost / unacked / duplicates', (l) => {
      const r = l.result;
      const cut = r.drainCut
        ? ' (wait cut while messages still arrived: lost includes late ones)'
        : '';
      return `${r.lost} / ${r.unacked} / ${r.duplicates}${cut}`;
    }),
    row('CPU (100% = one core)', (l) => `${round(l.proc.cpuPercent)}%`),
    row('messages per CPU-second of the target', (l) => int(perCpuSecond(l))),
    row('load generator CPU (bench process)', (l) => `${round(l.generator.cpuPercent)}%`),
    row('gateway event loop busy / timer delay p99 (mean)', (l) =>
      l.loop
        ? `${round(l.loop.busyPercent)}% / ≤ ${l.loop.delayP99Ms} ms (${round(l.loop.delayMeanMs, 1)} ms)`
        : '(not measured)',
    ),
    row('gateway outbox disk syncs: count, mean, p99 (ms)', (l) => {
      const s = l.loop?.sync;
      return s ? `${int(s.count)}, ${round(s.meanMs, 2)}, ≤ ${s.p99Ms}` : '(not measured)';
    }),
    row('gateway GC pauses: minor / major (count, total ms, longest ≤ ms)', (l) => {
      const g = l.loop?.gc;
      if (!g) return '(not measured)';
      const kind = (k: { count: number; totalMs: number; maxMs: number }) =>
        `${int(k.count)}, ${int(k.totalMs)} ms, ≤ ${k.maxMs}`;
      return `${kind(g.minor)} / ${kind(g.major)}`;
    }),
    row('RSS peak / end', (l) => `${mib(l.proc.peakRssBytes)} / ${mib(l.proc.endRssBytes)}`),
  ];
}

const IDLE_ROWS: Array<[string, (i: IdleFigures) => string]> = [
  ['devices connected', (i) => `${int(i.connected)} of ${int(i.devices)}`],
  ['connecting took', (i) => `${round(i.connectMs / 1000, 1)} s`],
  [
    'RSS before / connected / settled',
    (i) =>
      `${mib(i.baselineRssBytes)} / ${mib(i.justConnectedRssBytes)} / ${mib(i.connectedRssBytes)} (after ${i.settleMs / 1000} s)`,
  ],
  ['**per device**', (i) => `**${kib(i.bytesPerDevice)}**`],
];

function idleRows(gw: IdleFigures, br: IdleFigures | undefined): string[][] {
  return IDLE_ROWS.map(([name, cell]) => [name, cell(gw), br ? cell(br) : 'not run (--quick)']);
}

/** The console summary (stdout), before the JSON line. */
export function consoleReport(f: BenchFigures): string {
  const out: string[] = [];
  const section = (title: string, gw: LoadFigures, br: LoadFigures | undefined) => {
    out.push(`\n${title}`);
    for (const [name, a, b] of loadRows(gw, br)) {
      out.push(`  ${(name ?? '').padEnd(38)} gateway ${(a ?? '').padEnd(34)} broker ${b}`);
    }
  };
  section('Throughput', f.gateway.throughput, f.broker.throughput);
  section('Fixed rate', f.gateway.rate, f.broker.rate);
  if (f.idle) {
    const i = f.idle;
    out.push(
      `\nIdle: ${int(i.connected)} devices, ${kib(i.bytesPerDevice)} of gateway RSS each (${mib(i.baselineRssBytes)} → ${mib(i.connectedRssBytes)})`,
    );
  }
  if (f.idleBroker) {
    const i = f.idleBroker;
    out.push(
      `Idle, plain broker: ${int(i.connected)} devices, ${kib(i.bytesPerDevice)} of RSS each (${mib(i.baselineRssBytes)} → ${mib(i.connectedRssBytes)})`,
    );
  }
  const c = f.gateway.counts;
  if (c) out.push(`Gateway counters: ${JSON.stringify(c)}`);
  const s = summarize(f);
  out.push(`Gateway / plain broker throughput (messages/s): ${s.ratioToBroker}`);
  out.push('\nTargets:');
  for (const t of checkTargets(f)) {
    const verdict = t.met === undefined ? 'not measured here' : t.met ? 'met' : 'MISSED';
    out.push(`  [${verdict}] ${t.target}: ${t.measured}`);
  }
  if (f.profile) {
    out.push(`\nGateway CPU profile, top functions by self time (${f.profile.totalMs} ms busy):`);
    for (const h of f.profile.top) out.push(`  ${String(h.percent).padStart(5)}%  ${h.where}`);
    out.push('By file:');
    for (const h of f.profile.files) out.push(`  ${String(h.percent).padStart(5)}%  ${h.where}`);
  }
  if (f.firmware) out.push(`\nFirmware budget: ${JSON.stringify(f.firmware)}`);
  return out.join('\n');
}

export function markdownReport(f: BenchFigures): string {
  const m = f.machine;
  const o = f.options;
  const s = summarize(f);
  const parts: string[] = [
    '# Benchmarks',
    '',
    '<!-- Written by `npm run bench` (bench/report.ts); edit the text there, not here. -->',
    '',
    `Latest figures, from \`${o.commandLine}\` (${Math.round(f.wallSeconds)} s).`,
    '',
    table(
      ['machine', ''],
      [
        ['CPU', m.cpu],
        ['cores', String(m.cores)],
        ['memory', `${m.memoryGiB} GiB`],
        ['kernel', m.kernel],
        ['Node.js', m.node],
        ['date', m.date],
        ['load average before the run (1 min)', `${m.loadAverage} on ${m.cores} cores`],
      ],
    ),
    '',
    '## Targets',
    '',
    table(
      ['target', 'measured', 'met'],
      checkTargets(f).map((t) => [
        t.target,
        t.measured,
        t.met === undefined ? 'not measured in this run' : t.met ? 'yes' : '**no**',
      ]),
    ),
    '',
    '## Throughput: gateway against a plain broker',
    '',
    table(
      ['', 'gateway', 'plain Aedes broker'],
      loadRows(f.gateway.throughput, f.broker.throughput),
    ),
    '',
    `Gateway / plain broker (messages/s): **${s.ratioToBroker}**.`,
    '',
    '## Latency at a fixed offered rate',
    '',
    table(['', 'gateway', 'plain Aedes broker'], loadRows(f.gateway.rate, f.broker.rate)),
    '',
  ];
  if (f.idle) {
    parts.push(
      '## Memory per idle device',
      '',
      'Each device subscribed to its `cmd` topic and sent its retained birth; RSS before, as the last one connected, and after a quiet spell.',
      '',
      table(['', 'gateway', 'plain Aedes broker'], idleRows(f.idle, f.idleBroker)),
      '',
    );
  }
  if (f.gateway.counts) {
    parts.push(
      '## Gateway counters after the loads',
      '',
      '```json',
      JSON.stringify(f.gateway.counts, null, 2),
      '```',
      '',
    );
  }
  if (f.profile) {
    parts.push(
      '## Gateway CPU profile (`--profile`)',
      '',
      `Self time over the gateway's loads (${f.profile.totalMs} ms sampled outside the idle loop; our files mapped to their TypeScript lines). Sampled time includes waiting for the CPU on a busy machine and for fsync.`,
      '',
      table(
        ['self %', 'self ms', 'function (file:line)'],
        f.profile.top.map((h) => [String(h.percent), String(h.selfMs), `\`${h.where}\``]),
      ),
      '',
      table(
        ['self %', 'self ms', 'file'],
        f.profile.files.map((h) => [String(h.percent), String(h.selfMs), `\`${h.where}\``]),
      ),
      '',
    );
  }
  if (f.firmware && 'failed' in f.firmware) {
    parts.push(
      '## Firmware budget (Espruino)',
      '',
      `bench/firmware-budget.ts failed in this run: \`${f.firmware.failed}\``,
      '',
    );
  } else if (f.firmware) {
    parts.push(
      '## Firmware budget (Espruino)',
      '',
      'From bench/firmware-budget.ts (sizes in bytes, variables as estimated there).',
      '',
      table(
        ['figure', 'value'],
        Object.entries(f.firmware).map(([k, v]) => [k, int(v)]),
      ),
      '',
    );
  }
  parts.push(...METHOD, '', '```json', JSON.stringify(s), '```', '');
  return parts.join('\n');
}
