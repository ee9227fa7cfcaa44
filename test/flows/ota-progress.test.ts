/**
 * The OTA progress tracker behind the dashboard: it is fed the events the real sender
 * (firmware/ota/sender.ts) emits, over a link that plays the device, and hand-made malformed
 * ones, which are refused with the field named and counted.
 */
import { createHash } from 'node:crypto';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { Ack, Birth } from '../../contract/payloads.js';
import type { OtaEvent } from '../../firmware/ota/protocol.js';
import { type OtaLink, sendOta } from '../../firmware/ota/sender.js';
import { OTA_STALL_MS, OtaProgressTracker, parseOtaEvent } from '../../flows/lib/ota-progress.js';

const GW = 'gw-1';

const birth = (fw: string, boot: number): Birth => ({
  online: true,
  ts: boot,
  boot,
  fw,
  board: 'test-pi',
  sensors: [],
  actuators: [],
});

/**
 * The sender's one outside edge: a device that accepts every chunk and, after the commit,
 * boots either the new image or (rollback) the previous one.
 */
function deviceLink(outcome: 'updated' | 'rolled-back', events: OtaEvent[]): OtaLink {
  let image: Buffer[] = [];
  return {
    async command(_device, name, args): Promise<Ack> {
      const id = `c-${name}`;
      if (name === 'ota-begin') image = [];
      if (name === 'ota-chunk') image.push(Buffer.from(String(args.data), 'base64'));
      if (name === 'ota-status') {
        const sha = createHash('sha256').update(Buffer.concat(image)).digest('hex');
        return outcome === 'updated'
          ? { id, ok: true, result: { slot: 'b', fw: 'fw-2', sha256: sha, trial: false } }
          : {
              id,
              ok: true,
              result: {
                slot: 'a',
                fw: 'fw-1',
                sha256: 'old',
                trial: false,
                rolledBack: { fw: 'fw-2', reason: 'no birth within 4000 ms', at: 5 },
              },
            };
      }
      // Every begin, chunk and commit is accepted.
      return { id, ok: true };
    },
    currentBirth: async () => birth('fw-1', 1),
    watchBirths: () => ({
      next: async () => birth(outcome === 'updated' ? 'fw-2' : 'fw-1', 2),
      stop: () => undefined,
    }),
    publishEvent: (event) => events.push(event),
  };
}

async function realEvents(outcome: 'updated' | 'rolled-back'): Promise<OtaEvent[]> {
  const events: OtaEvent[] = [];
  let now = 1000;
  await sendOta(deviceLink(outcome, events), {
    device: 'pi-1',
    bundle: Buffer.alloc(1000, 7),
    fw: 'fw-2',
    chunkBytes: 256,
    trialMs: 100,
    now: () => now++,
  });
  // What the MQTT hop does to them: JSON out, JSON in.
  return events.map((e) => JSON.parse(JSON.stringify(e)) as OtaEvent);
}

test('the real sender’s events of a successful update: progress, then "updated to"', async () => {
  const events = await realEvents('updated');
  const tracker = new OtaProgressTracker();
  const seen: string[] = [];
  for (const event of events) {
    const result = tracker.receive(GW, event);
    assert.ok(result.ok, JSON.stringify(result));
    if (result.value) seen.push(result.value.text);
  }
  assert.equal(seen, [
    'updating to fw-2: starting',
    'updating 25%',
    'updating 51%',
    'updating 76%',
    'updating 100%',
    'updating: switching to fw-2',
    'updating: waiting for fw-2 to start',
    'updated to fw-2',
  ]);
  const progress = tracker.get('pi-1')!;
  assert.is(progress.state, 'updated');
  assert.is(progress.gateway, GW);
  assert.is(progress.percent, 100);
  assert.is(progress.sent, 1000);
  assert.is(progress.startedAt, events[0]!.ts);
  assert.is(progress.lastOutcome?.state, 'updated');
  assert.is(progress.lastOutcome?.text, 'updated to fw-2');
  assert.equal(tracker.stats(), { accepted: events.length, malformed: 0, otherTypes: 0 });
});

test('a rollback shows its reason; the next update keeps it as the last outcome', async () => {
  const tracker = new OtaProgressTracker();
  for (const event of await realEvents('rolled-back')) tracker.receive(GW, event);
  const back = tracker.get('pi-1')!;
  assert.is(back.state, 'rolled-back');
  assert.is(back.text, 'rolled back: no birth within 4000 ms');
  assert.match(back.detail!, /pi-1 went back to fw-1/);

  const later = { type: 'ota', device: 'pi-1', fw: 'fw-3', total: 400, ts: 9000 };
  tracker.receive(GW, { ...later, phase: 'starting', sent: 0 });
  const result = tracker.receive(GW, { ...later, phase: 'sending', sent: 100, ts: 9001 });
  assert.ok(result.ok && result.value);
  assert.is(result.value.state, 'updating');
  assert.is(result.value.text, 'updating 25%');
  assert.is(result.value.startedAt, 9000, 'a new update starts at its starting event');
  assert.is(result.value.lastOutcome?.text, 'rolled back: no birth within 4000 ms');
});

test('a failed update says why; an update joined mid-way starts where it is', () => {
  const tracker = new OtaProgressTracker();
  const base = { type: 'ota', device: 'esp-1', fw: 'fw-9', total: 2048 };
  tracker.receive(GW, { ...base, phase: 'sending', sent: 1024, ts: 50 });
  assert.is(tracker.get('esp-1')!.text, 'updating 50%');
  assert.is(tracker.get('esp-1')!.startedAt, 50);
  tracker.receive(GW, {
    ...base,
    phase: 'failed',
    sent: 1024,
    ts: 60,
    detail: 'chunk 2 of 4 was refused',
  });
  const failed = tracker.get('esp-1')!;
  assert.is(failed.state, 'failed');
  assert.is(failed.text, 'update failed: chunk 2 of 4 was refused');
  assert.is(failed.lastOutcome?.state, 'failed');
  assert.equal(
    tracker.snapshot().map((p) => p.device),
    ['esp-1'],
  );
});

test('an event older than the one shown does not move the bar backwards', () => {
  const tracker = new OtaProgressTracker();
  const base = { type: 'ota', device: 'pi-2', fw: 'fw-2', total: 100 };
  tracker.receive(GW, { ...base, phase: 'sending', sent: 80, ts: 200 });
  const late = tracker.receive(GW, { ...base, phase: 'sending', sent: 40, ts: 150 });
  assert.equal(late, { ok: true, value: null });
  assert.is(tracker.get('pi-2')!.percent, 80);
});

test('malformed events are refused with the field, the value and what is allowed, and counted', () => {
  const tracker = new OtaProgressTracker();
  const good = {
    type: 'ota',
    device: 'pi-1',
    phase: 'sending',
    fw: 'fw-2',
    sent: 10,
    total: 100,
    ts: 5,
  };
  const cases: Array<[unknown, RegExp]> = [
    ['not an object', /not a JSON object/],
    [[good], /not a JSON object/],
    [{ ...good, type: 7 }, /type is 7, expected a string/],
    [{ ...good, device: 'Pi 1' }, /device is "Pi 1", expected a device id matching/],
    [{ ...good, device: undefined }, /device is missing/],
    [{ ...good, phase: 'flashing' }, /phase is "flashing", expected one of starting, sending, /],
    [{ ...good, fw: '' }, /fw is "", expected a non-empty string/],
    [{ ...good, total: -1 }, /total is -1, expected a whole number/],
    [
      { ...good, sent: 101 },
      /sent is 101, expected a whole number of bytes from 0 to total \(100\)/,
    ],
    [{ ...good, sent: 1.5 }, /sent is 1.5/],
    [{ ...good, ts: 'now' }, /ts is "now", expected milliseconds since the epoch/],
    [{ ...good, detail: 42 }, /detail is 42, expected a string when present/],
  ];
  for (const [body, expected] of cases) {
    const result = tracker.receive(GW, body);
    assert.is(result.ok, false, JSON.stringify(body));
    if (!result.ok) assert.match(result.detail, expected);
  }
  assert.equal(tracker.snapshot(), [], 'nothing malformed reached the state');
  tracker.reject('fs/gw/v1/gw-1/events: payload is not JSON');
  const stats = tracker.stats();
  assert.is(stats.malformed, cases.length + 1);
  assert.is(stats.accepted, 0);
  assert.is(stats.lastProblem, 'fs/gw/v1/gw-1/events: payload is not JSON');
  // The tracker still works after all that.
  assert.ok(tracker.receive(GW, good).ok);
  assert.is(tracker.get('pi-1')!.text, 'updating 10%');
});

test('events of another type are left alone, not counted as malformed', () => {
  const tracker = new OtaProgressTracker();
  assert.equal(tracker.receive(GW, { type: 'reboot', device: 'x' }), { ok: true, value: null });
  assert.equal(parseOtaEvent({ type: 'something-else' }), { ok: true, value: null });
  assert.equal(tracker.stats(), { accepted: 0, malformed: 0, otherTypes: 1 });
});

test('an update whose sender went silent is shown failed after OTA_STALL_MS; a finished one is left alone', async () => {
  const events = await realEvents('updated');
  const tracker = new OtaProgressTracker();
  // pi-1 stops after its first chunk (the sender was killed); pi-2 finishes.
  tracker.receive(GW, events[1], 1_000);
  for (const event of events) tracker.receive(GW, { ...event, device: 'pi-2' }, 2_000);
  assert.equal(tracker.expireStalled(1_000 + OTA_STALL_MS - 1), [], 'not yet');
  const expired = tracker.expireStalled(1_000 + OTA_STALL_MS);
  assert.equal(
    expired.map((p) => [p.device, p.state, p.lastOutcome?.state]),
    [['pi-1', 'failed', 'failed']],
  );
  assert.match(expired[0]!.text, /update stalled: no progress for 10 min at "sending"/);
  assert.is(tracker.get('pi-2')?.state, 'updated');
  assert.equal(tracker.expireStalled(1_000 + 2 * OTA_STALL_MS), [], 'reported once');
  // The sender was only slow: its next event still applies.
  const late = tracker.receive(GW, events[2], 1_000 + OTA_STALL_MS + 5);
  assert.is(late.ok && late.value?.state, 'updating');
});

test.run();
