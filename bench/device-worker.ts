/**
 * A worker thread that runs a share of the simulated devices. Each device is one MQTT
 * connection that sends its birth (so the gateway knows its sensors), then, phase after
 * phase, telemetry at QoS 1 with `ts` set to the moment of publishing, recording per seq
 * whether it was PUBACKed. Each phase is a new boot with seq from 0, on the same connections.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { cmdTopic, statusTopic, telemetryTopic } from '../contract/index.js';
import { ACKED, SENT, SeqBytes } from './accounting.js';
import {
  BENCH_SENSORS,
  type DeviceWorkerConfig,
  type FromDeviceWorker,
  type LoadMode,
  type ToDeviceWorker,
} from './load-protocol.js';
import { WireConnection } from './mqtt-wire.js';

interface SimDevice {
  id: string;
  topic: string;
  wire: WireConnection | undefined;
  nextSeq: number;
  /** Packet id → seq, for the publishes awaiting their PUBACK. */
  inFlight: Map<number, number>;
  log: SeqBytes;
}

type Phase = 'connecting' | 'ready' | 'running' | 'draining' | 'closing';

const config = workerData as DeviceWorkerConfig;
const port = parentPort;
if (!port) throw new Error('device-worker.ts runs only as a worker thread');
const post = (message: FromDeviceWorker) => port.postMessage(message);

const MAX_ERRORS = 10;

let phase: Phase = 'connecting';
let mode: LoadMode = { kind: 'idle' };
let boot = 1;
let sent = 0;
let acked = 0;
let skipped = 0;
let disconnects = 0;
const errors: string[] = [];
const devices: SimDevice[] = config.deviceIds.map((id) => ({
  id,
  topic: telemetryTopic(id),
  wire: undefined,
  nextSeq: 0,
  inFlight: new Map(),
  log: new SeqBytes(1),
}));

function note(error: unknown): void {
  if (errors.length < MAX_ERRORS) errors.push((error as Error).message ?? String(error));
}

function publishReading(d: SimDevice): void {
  const wire = d.wire;
  if (wire?.state !== 'connected') return;
  const seq = d.nextSeq++;
  // Two readings (BENCH_SENSORS), as a temperature and humidity sensor sends them.
  const payload = `{"seq":${seq},"boot":${boot},"ts":${Date.now()},"readings":{"t":${20 + (seq % 10) / 10},"h":${40 + (seq % 7)}}}`;
  d.inFlight.set(wire.publish(d.topic, payload), seq);
  d.log.update(seq, SENT, true);
  sent++;
  if (config.duplicateEvery > 0 && seq % config.duplicateEvery === config.duplicateEvery - 1) {
    d.inFlight.set(wire.publish(d.topic, payload), seq);
  }
}

function onPuback(d: SimDevice, messageId: number): void {
  const seq = d.inFlight.get(messageId);
  if (seq === undefined) return;
  d.inFlight.delete(messageId);
  if ((d.log.get(seq) & ACKED) === 0) acked++;
  d.log.update(seq, ACKED, true);
  if (phase === 'running' && mode.kind === 'max' && d.inFlight.size < mode.window) {
    publishReading(d);
  }
}

async function connectDevice(d: SimDevice): Promise<void> {
  const wire = await WireConnection.open(
    {
      host: config.host,
      port: config.port,
      clientId: d.id,
      keepalive: config.keepaliveSeconds,
      will: {
        topic: statusTopic(d.id),
        payload: '{"online":false,"reason":"lost"}',
        qos: 1,
        retain: true,
      },
    },
    {
      onPuback: (id) => onPuback(d, id),
      onClose: (error) => {
        if (phase !== 'closing') {
          disconnects++;
          note(error ?? new Error(`${d.id}: connection closed by the broker`));
        }
      },
    },
  );
  d.wire = wire;
  await wire.subscribe(cmdTopic(d.id));
  const birth = {
    online: true,
    ts: Date.now(),
    boot,
    fw: 'bench-1',
    board: 'bench',
    sensors: BENCH_SENSORS,
    actuators: [],
  };
  await wire.publishAndWait(statusTopic(d.id), JSON.stringify(birth), true);
}

/** Opens the connections `connectConcurrency` at a time (a burst of 10,000 SYNs helps no one). */
async function connectAll(): Promise<number> {
  let next = 0;
  let connected = 0;
  const lane = async () => {
    while (next < devices.length) {
      const d = devices[next++] as SimDevice;
      try {
        await connectDevice(d);
        connected++;
      } catch (error) {
        note(error);
      }
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, config.connectConcurrency) }, lane));
  return connected;
}

/** A new boot on every device: seq from 0, fresh logs; late PUBACKs of the last phase are ignored. */
function beginPhase(next: LoadMode, nextBoot: number): void {
  mode = next;
  generatorStall = { maxGapMs: 0, maxBurst: 0 };
  boot = nextBoot;
  sent = 0;
  acked = 0;
  skipped = 0;
  disconnects = 0;
  errors.length = 0;
  for (const d of devices) {
    d.nextSeq = 0;
    d.inFlight.clear();
    d.log = new SeqBytes();
  }
  phase = 'running';
}

function startMax(window: number): void {
  for (const d of devices) for (let i = 0; i < window; i++) publishReading(d);
}

/** Open loop: at each tick, offer what the rate says is due, round robin over the devices. */
function startRate(perSecond: number, maxInFlight: number): NodeJS.Timeout {
  const t0 = performance.now();
  let offered = 0;
  let cursor = 0;
  let lastTick = t0;
  return setInterval(() => {
    if (phase !== 'running') return;
    const now = performance.now();
    // A late tick offers what fell due meanwhile at once: a burst made by the generator.
    if (now - lastTick > generatorStall.maxGapMs) generatorStall.maxGapMs = now - lastTick;
    lastTick = now;
    const due = Math.floor(((now - t0) / 1000) * perSecond) - offered;
    if (due > generatorStall.maxBurst) generatorStall.maxBurst = due;
    for (let i = 0; i < due; i++) {
      const d = devices[cursor] as SimDevice;
      cursor = (cursor + 1) % devices.length;
      offered++;
      if (d.inFlight.size >= maxInFlight) skipped++;
      else publishReading(d);
    }
  }, 1);
}

function inFlightTotal(): number {
  let n = 0;
  for (const d of devices) if (d.wire?.state === 'connected') n += d.inFlight.size;
  return n;
}

async function drain(drainMs: number): Promise<void> {
  const deadline = Date.now() + drainMs;
  while (inFlightTotal() > 0 && Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 20));
  }
}

async function closeAll(): Promise<void> {
  phase = 'closing';
  const wires = devices.flatMap((d) => (d.wire ? [d.wire] : []));
  for (let i = 0; i < wires.length; i += 500) {
    await Promise.all(wires.slice(i, i + 500).map((w) => w.end()));
  }
}

let rateTimer: NodeJS.Timeout | undefined;
/** The rate mode's longest gap between ticks and largest offer in one tick, this phase. */
let generatorStall = { maxGapMs: 0, maxBurst: 0 };
let progressTimer: NodeJS.Timeout | undefined;
const pingTimer =
  config.keepaliveSeconds > 0
    ? setInterval(
        () => {
          for (const d of devices) d.wire?.ping();
        },
        (config.keepaliveSeconds * 1000) / 2,
      )
    : undefined;

port.on('message', (message: ToDeviceWorker) => {
  switch (message.type) {
    case 'start':
      beginPhase(message.mode, message.boot);
      progressTimer = setInterval(() => post({ type: 'progress', sent, acked }), 250);
      if (mode.kind === 'max') startMax(mode.window);
      else if (mode.kind === 'rate') rateTimer = startRate(mode.perSecond, mode.maxInFlight);
      return;
    case 'stop':
      phase = 'draining';
      clearInterval(rateTimer);
      void drain(message.drainMs).then(() => {
        clearInterval(progressTimer);
        phase = 'ready';
        const flags = new Map(devices.map((d) => [d.id, d.log.snapshot()]));
        post({
          type: 'done',
          flags,
          sent,
          acked,
          skipped,
          disconnects,
          generatorStall,
          errors: [...errors],
        });
      });
      return;
    case 'close':
      clearInterval(pingTimer);
      void closeAll().then(() => {
        post({ type: 'closed' });
        port.close();
      });
      return;
  }
});

connectAll().then(
  (connected) => {
    phase = 'ready';
    post({ type: 'ready', connected, errors: [...errors] });
  },
  (error: Error) => post({ type: 'failed', message: error.message }),
);
