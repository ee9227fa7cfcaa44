import { Command } from 'commander';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { register as registerDeadletters } from '../../cli/commands/deadletters.js';
import { formatDevices, register as registerDevices } from '../../cli/commands/devices.js';
import { register as registerProvision } from '../../cli/commands/provision.js';
import { CredentialStore } from '../../gateway/credentials.js';
import { device, end, publish, reading, tempDir, testGateway, waitFor } from './gateway-helpers.js';

const test = suite('gateway operations: /health, /metrics, provision, devices, deadletters');

/** Runs one fullstack subcommand in-process and returns what it printed. */
async function run(
  register: (p: Command) => void,
  args: string[],
): Promise<{ out: string; error?: string }> {
  const program = new Command('fullstack').exitOverride();
  program.configureOutput({ writeErr: () => undefined, writeOut: () => undefined });
  register(program);
  const lines: string[] = [];
  const original = console.log;
  console.log = (...parts: unknown[]) => lines.push(parts.join(' '));
  try {
    await program.parseAsync(['node', 'fullstack', ...args]);
    return { out: lines.join('\n') };
  } catch (error) {
    return { out: lines.join('\n'), error: (error as Error).message };
  } finally {
    console.log = original;
  }
}

test('provision prints the credential once and stores only a scrypt hash; --revoke removes it', async () => {
  const dir = tempDir();
  try {
    const { out } = await run(registerProvision, ['provision', 'barn-1', '--data-dir', dir.path]);
    const printed = JSON.parse(out) as { device: string; username: string; password: string };
    assert.is(printed.device, 'barn-1');
    assert.is(printed.username, 'barn-1');
    assert.ok(printed.password.length >= 24);
    const { readFileSync } = await import('node:fs');
    const stored = readFileSync(new CredentialStore(dir.path).path, 'utf8');
    assert.not.ok(stored.includes(printed.password), 'the password is not stored');
    assert.ok(await new CredentialStore(dir.path).verify(printed.username, printed.password));
    const bad = await run(registerProvision, ['provision', 'Barn_1', '--data-dir', dir.path]);
    assert.match(bad.error ?? '', /"Barn_1" is not a device id/);
    const revoked = await run(registerProvision, [
      'provision',
      'barn-1',
      '--revoke',
      '--data-dir',
      dir.path,
    ]);
    assert.equal(JSON.parse(revoked.out), { device: 'barn-1', revoked: true });
    assert.is(
      await new CredentialStore(dir.path).verify(printed.username, printed.password),
      undefined,
    );
    const again = await run(registerProvision, [
      'provision',
      'barn-1',
      '--revoke',
      '--data-dir',
      dir.path,
    ]);
    assert.match(again.error ?? '', /not provisioned/);
  } finally {
    dir.remove();
  }
});

test('/health and /metrics describe the running gateway; devices and deadletters read its state', async () => {
  const gw = await testGateway();
  try {
    const dev = await device(gw.mqttUrl, 'ops-1');
    await publish(dev, 'fs/v1/ops-1/telemetry', reading(1));
    await publish(dev, 'fs/v1/ops-1/telemetry', '{oops');
    await waitFor(() => gw.parts.outbox?.depth() === 0, 5000, 'forwarded');
    const health = (await (await fetch(`${gw.httpUrl}/health`)).json()) as Record<string, unknown>;
    assert.is(health.status, 'ok');
    assert.equal(
      (health.children as Array<{ id: string }>).map((c) => c.id),
      ['store', 'sessions', 'broker', 'forwarder', 'serial', 'http'],
    );
    assert.equal(health.devices, { online: 1, known: 1, sessions: 1 });
    assert.equal(health.outbox, { depth: 0, bytes: 0, oldestAgeMs: null });
    const metrics = await (await fetch(`${gw.httpUrl}/metrics`)).text();
    for (const line of [
      'fs_gateway_devices_online{via="mqtt"} 1',
      'fs_gateway_readings_forwarded_total 1',
      'fs_gateway_messages_rejected_total{device="ops-1",reason="not-json"} 1',
      'fs_gateway_outbox_depth 0',
      'fs_gateway_child_restarts{child="broker"} 0',
      'fs_gateway_forward_latency_ms_count 1',
    ]) {
      assert.ok(metrics.includes(line), `metrics has: ${line}`);
    }
    // The event loop's own health: busy time, and a delay histogram that is being fed.
    const busy = Number(/^fs_gateway_event_loop_busy_seconds_total (\S+)$/m.exec(metrics)?.[1]);
    assert.ok(busy > 0, `event loop busy seconds: ${busy}`);
    const ticks = Number(/^fs_gateway_event_loop_delay_ms_count (\d+)$/m.exec(metrics)?.[1]);
    assert.ok(ticks > 0, `event loop delay samples: ${ticks}`);
    assert.match(metrics, /^fs_gateway_gc_minor_pause_ms_count \d+$/m);
    assert.is((await fetch(`${gw.httpUrl}/nothing`)).status, 404);
    const listed = await run(registerDevices, ['devices', '--json', '--data-dir', gw.dir]);
    assert.equal(
      (JSON.parse(listed.out) as Array<{ device: string; online: boolean }>).map((d) => [
        d.device,
        d.online,
      ]),
      [['ops-1', true]],
    );
    await end(dev);
    await waitFor(() => !gw.parts.presence?.isOnline('ops-1'), 5000, 'offline');
    await new Promise((r) => setImmediate(r));
    const table = await run(registerDevices, ['devices', '--data-dir', gw.dir]);
    assert.match(table.out, /ops-1\s+offline\s+clean\s+mqtt/);
    const letters = await run(registerDeadletters, ['deadletters', '--json', '--data-dir', gw.dir]);
    const letter = JSON.parse(letters.out.split('\n')[0] ?? '{}') as {
      device: string;
      reason: string;
      payload: string;
    };
    assert.equal([letter.device, letter.reason, letter.payload], ['ops-1', 'not-json', '{oops']);
    const badReason = await run(registerDeadletters, [
      'deadletters',
      '--reason',
      'nope',
      '--data-dir',
      gw.dir,
    ]);
    assert.match(badReason.error ?? '', /Allowed choices are/);
  } finally {
    await gw.cleanup();
  }
});

test('formatDevices says "no devices yet" for none', () => {
  assert.is(formatDevices([], 0), 'no devices yet');
});

test.run();
