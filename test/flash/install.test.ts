import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import {
  type InstallOptions,
  type MachineFacts,
  runInstall,
  runUninstall,
} from '../../cli/commands/install.js';
import { startSystemdWatchdog } from '../../deploy/watchdog.js';
import { ManualClock } from '../../lib/clock.js';
import { REPO_ROOT, repoPath } from '../../lib/paths.js';
import { runCli } from '../helpers/cli.js';

const OPTIONS: InstallOptions = {
  dryRun: true,
  user: 'fullstack',
  dataDir: '/var/lib/fullstack',
  configDir: '/etc/fullstack/devices',
  unitDir: '/etc/systemd/system',
  host: '127.0.0.1',
  mqttPort: 1883,
  uiPort: 1880,
  gatewayPort: 1881,
  device: [],
  watchdog: true,
};

const PI: MachineFacts = {
  passwd: 'root:x:0:0::/root:/bin/bash\npi:x:1000:1000::/home/pi:/bin/bash\n',
  group: 'root:x:0:\ndialout:x:20:pi\ngpio:x:997:pi\ni2c:x:998:pi\nspi:x:999:pi\n',
  isRoot: false,
  node: '/usr/bin/node',
  root: '/opt/fullstack',
};

let dir: string;
test.before.each(() => {
  dir = mkdtempSync(join(tmpdir(), 'fullstack-install-'));
});
test.after.each(() => rmSync(dir, { recursive: true, force: true }));

function dryRun(options: Partial<InstallOptions> = {}, facts: MachineFacts = PI): string {
  let out = '';
  runInstall({ ...OPTIONS, ...options }, facts, (text) => (out += `${text}\n`));
  return out;
}

/** The body of one unit file in the dry-run output. */
function unit(out: string, name: string): string {
  const match = new RegExp(
    `cat > /etc/systemd/system/${name.replace('@', '\\@')} <<'EOF'\\n([\\s\\S]*?)\\nEOF`,
  ).exec(out);
  assert.ok(match, `unit ${name} in:\n${out}`);
  return match![1]!;
}

test('install --dry-run prints the user, the units and the systemctl calls, in order', () => {
  const config = repoPath('hardware', 'devices', 'pi-lab.json');
  const out = dryRun({ device: [config] });
  assert.match(out, /^# fullstack: dry run; nothing was changed/);
  const steps = [
    'useradd --system --user-group --home-dir /var/lib/fullstack --shell /usr/sbin/nologin fullstack',
    'install -d -m 750 -o fullstack -g fullstack /var/lib/fullstack',
    `install -m 644 ${config} /etc/fullstack/devices/pi-lab.json`,
    'cat > /etc/systemd/system/fullstack-gateway.service',
    'cat > /etc/systemd/system/fullstack-nodered.service',
    'cat > /etc/systemd/system/fullstack-device@.service',
    'systemctl daemon-reload',
    'systemctl enable --now fullstack-gateway.service fullstack-nodered.service fullstack-device@pi-lab.service',
  ];
  let at = 0;
  for (const step of steps) {
    const found = out.indexOf(step, at);
    assert.ok(found >= 0, `missing or out of order: ${step}`);
    at = found;
  }
});

test('every unit: dedicated user, restart on failure, journald, writes only its data dir', () => {
  const out = dryRun();
  for (const name of [
    'fullstack-gateway.service',
    'fullstack-nodered.service',
    'fullstack-device@.service',
  ]) {
    const body = unit(out, name);
    for (const line of [
      'User=fullstack',
      'Group=fullstack',
      'Restart=on-failure',
      'StandardOutput=journal',
      'StandardError=journal',
      'ProtectSystem=strict',
      'ReadWritePaths=/var/lib/fullstack',
      'WantedBy=multi-user.target',
    ]) {
      assert.ok(body.split('\n').includes(line), `${name} lacks ${line}`);
    }
    if (name !== 'fullstack-gateway.service') {
      assert.not.match(body, /WatchdogSec/, 'no watchdog where the process does not ping it');
    }
  }
  const gateway = unit(out, 'fullstack-gateway.service');
  assert.match(
    gateway,
    /^ExecStart=\/usr\/bin\/node --max-semi-space-size=64 \/opt\/fullstack\/bin\/fullstack\.js gateway --host 127\.0\.0\.1 --mqtt-port 1883 --gateway-port 1881 --data-dir \/var\/lib\/fullstack$/m,
  );
  assert.match(gateway, /^SupplementaryGroups=dialout$/m);
  const device = unit(out, 'fullstack-device@.service');
  assert.match(
    device,
    /^ExecStart=.* device host \/etc\/fullstack\/devices\/%i\.json --broker mqtt:\/\/127\.0\.0\.1:1883 --state-dir \/var\/lib\/fullstack\/devices$/m,
  );
  // The firmware host stops its child itself: systemd signals only the host.
  assert.match(device, /^KillMode=mixed$/m);
  assert.match(device, /^SupplementaryGroups=dialout gpio i2c spi$/m);
  assert.match(
    unit(out, 'fullstack-nodered.service'),
    /^After=network-online\.target fullstack-gateway\.service$/m,
  );
});

test('the gateway is a notify service with WatchdogSec, unless --no-watchdog', () => {
  const gateway = unit(dryRun(), 'fullstack-gateway.service');
  assert.match(gateway, /^Type=notify$/m);
  assert.match(gateway, /^NotifyAccess=all$/m);
  assert.match(gateway, /^WatchdogSec=30$/m);
  const plain = unit(dryRun({ watchdog: false }), 'fullstack-gateway.service');
  assert.match(plain, /^Type=simple$/m);
  assert.not.match(plain, /WatchdogSec/);
});

test('an existing user is reused; groups the machine lacks are left out', () => {
  const out = dryRun(
    {},
    {
      ...PI,
      passwd: `${PI.passwd}fullstack:x:990:990::/var/lib/fullstack:/usr/sbin/nologin\n`,
      group: 'dialout:x:20:\n',
    },
  );
  assert.not.match(out, /useradd/);
  assert.match(unit(out, 'fullstack-device@.service'), /^SupplementaryGroups=dialout$/m);
});

/** The message install refuses with (it must refuse). */
function refusal(run: () => unknown): string {
  try {
    run();
  } catch (error) {
    return (error as Error).message;
  }
  assert.unreachable('expected a refusal');
  return '';
}

test('device configs are validated like `fullstack check`: every problem of every config', () => {
  const bad = join(dir, 'bad.json');
  writeFileSync(bad, JSON.stringify({ id: 'Not An Id', board: 'rpi4', sensors: [{ id: 1 }] }));
  const missing = join(dir, 'missing.json');
  const message = refusal(() => dryRun({ device: [bad, missing] }));
  assert.match(message, /^install: \d+ problems, nothing was done:/);
  assert.match(message, new RegExp(`--device ${bad}:id: `));
  assert.match(message, new RegExp(`--device ${bad}:sensors\\[0\\]`));
  assert.match(message, new RegExp(`--device ${missing}: cannot be read`));
});

test('an Espruino config is refused: it is flashed, not run on the Pi', () => {
  const garden = repoPath('hardware', 'devices', 'esp32-garden.json');
  const message = refusal(() => dryRun({ device: [garden] }));
  assert.match(
    message,
    /esp32-garden runs on an ESP32 DevKitC .*, an Espruino board: it is flashed, not run on the Pi/,
  );
  assert.match(message, /fullstack flash .*esp32-garden\.json/);
});

test('an installation the units would hide (ProtectHome, PrivateTmp) is refused with the fix', () => {
  const home = refusal(() => dryRun({}, { ...PI, root: '/home/pi/fullstack' }));
  assert.match(
    home,
    /FullStack is installed in \/home\/pi\/fullstack, which the services cannot see \(ProtectHome=yes hides \/home/,
  );
  assert.match(home, /sudo cp -a \/home\/pi\/fullstack\/\. \/opt\/fullstack\//);
  assert.match(
    refusal(() => dryRun({}, { ...PI, root: '/tmp/fullstack' })),
    /PrivateTmp=yes hides \/tmp/,
  );
  assert.match(
    refusal(() => dryRun({}, { ...PI, node: '/home/pi/.nvm/versions/node/v20.18.0/bin/node' })),
    /Node\.js is \/home\/pi\/\.nvm\/versions\/node\/v20\.18\.0\/bin\/node, which the services cannot run \(ProtectHome=yes/,
  );
  assert.match(
    refusal(() => dryRun({ dataDir: '/home/pi/data' })),
    /--data-dir \/home\/pi\/data is hidden/,
  );
});

test('a user name or a path that would need quoting is refused, naming it', () => {
  assert.match(
    refusal(() => dryRun({ user: 'bad user' })),
    /--user "bad user" is not a valid system user name \(allowed: /,
  );
  assert.match(
    refusal(() => dryRun({ user: 'Root' })),
    /--user "Root"/,
  );
  assert.match(
    refusal(() => dryRun({ dataDir: '/var/lib/full stack' })),
    /--data-dir "\/var\/lib\/full stack" contains " ": systemd units/,
  );
  assert.match(
    refusal(() => dryRun({ configDir: '/etc/fs%i' })),
    /--config-dir "\/etc\/fs%i" contains '%'/,
  );
  let out = '';
  assert.match(
    refusal(() =>
      runUninstall({ ...OPTIONS, user: 'x y', configDir: dir, purge: true }, PI, (t) => (out += t)),
    ),
    /^uninstall: a problem, nothing was done:\n {2}--user "x y"/,
  );
  assert.is(out, '', 'nothing printed, nothing removed');
});

test('a real install needs root', () => {
  assert.throws(() => dryRun({ dryRun: false }), /needs root: run `sudo fullstack install`/);
});

test('uninstall --dry-run stops and removes the units; --purge also the data and the user', () => {
  let out = '';
  runUninstall({ ...OPTIONS, configDir: dir, purge: false }, PI, (t) => (out += t));
  assert.match(
    out,
    /systemctl disable --now fullstack-gateway\.service fullstack-nodered\.service/,
  );
  assert.match(out, /rm -f \/etc\/systemd\/system\/fullstack-device@\.service/);
  assert.not.match(out, /userdel/);
  let purge = '';
  runUninstall({ ...OPTIONS, configDir: dir, purge: true }, PI, (t) => (purge += t));
  assert.match(purge, /rm -fr \/var\/lib\/fullstack/);
  assert.match(purge, /userdel fullstack/);
});

test('the systemd watchdog: ready, then pings while healthy, nothing outside systemd', () => {
  const clock = new ManualClock();
  const sent: string[] = [];
  let healthy = true;
  const stop = startSystemdWatchdog({
    env: { NOTIFY_SOCKET: '/run/systemd/notify', WATCHDOG_USEC: '30000000' },
    clock,
    healthy: () => healthy,
    notify: (args) => sent.push(args.join(' ')),
  });
  clock.advance(15_000);
  healthy = false;
  clock.advance(30_000);
  stop();
  assert.equal(sent, ['--ready', 'WATCHDOG=1']);
  const none: string[] = [];
  startSystemdWatchdog({ env: {}, clock, healthy: () => true, notify: (a) => none.push(a[0]!) });
  clock.advance(60_000);
  assert.equal(none, []);
});

const cli = (...args: string[]) => runCli(args);

// Where this checkout lives decides what the real CLI may do: from a directory the services'
// sandbox hides (a home directory, /tmp: CI may clone anywhere), it must refuse and say how to
// fix it; from anywhere else it prints the units.
const HIDDEN_ROOT = /^\/(home|root|tmp|var\/tmp|run\/user)(\/|$)/.test(REPO_ROOT);

test('`fullstack install --dry-run` from the built CLI', async () => {
  const result = await cli('install', '--dry-run');
  if (HIDDEN_ROOT) {
    assert.is(result.code, 1, result.stdout);
    assert.match(
      result.stderr,
      new RegExp(
        `FullStack is installed in ${REPO_ROOT.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}, which the services cannot see`,
      ),
    );
    assert.match(result.stderr, /sudo cp -a .* \/opt\/fullstack\//);
    return;
  }
  assert.is(result.code, 0, result.stderr);
  const { stdout } = result;
  assert.match(stdout, /cat > \/etc\/systemd\/system\/fullstack-gateway\.service/);
  assert.match(stdout, /Restart=on-failure/);
  assert.match(stdout, /WatchdogSec=30/);
  assert.match(
    stdout,
    /systemctl enable --now fullstack-gateway\.service fullstack-nodered\.service\n/,
  );
});

test('the built CLI says why it refuses a device config; uninstall offers no listening options', async () => {
  const nope = await cli('install', '--dry-run', '--device', '/nope.json');
  assert.is(nope.code, 1);
  assert.match(nope.stderr, /--device \/nope\.json: cannot be read: ENOENT/);
  assert.is(nope.stdout, '');
  const help = await cli('uninstall', '--help');
  assert.is(help.code, 0);
  assert.match(help.stdout, /--purge/);
  for (const option of ['--host', '--mqtt-port', '--ui-port', '--gateway-port', '--device']) {
    assert.not.ok(help.stdout.includes(option), `uninstall --help lists ${option}`);
  }
});

test.run();
