import { createServer, type Server } from 'node:net';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { chooseUpPorts, describeFallbacks, PortClashError } from '../../cli/up/ports.js';
import { freePort, PortInUseError } from '../../lib/ports.js';

function occupy(port: number): Promise<Server> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen({ port, host: '127.0.0.1' }, () => resolve(server));
  });
}

const close = (server: Server) => new Promise<void>((resolve) => server.close(() => resolve()));

async function options(overrides: Partial<Parameters<typeof chooseUpPorts>[0]> = {}) {
  return {
    mqttPort: await freePort(),
    uiPort: await freePort(),
    gatewayPort: await freePort(),
    dataDir: '/tmp/unused',
    host: '127.0.0.1',
    devices: 0,
    explicit: { mqttPort: false, uiPort: false, gatewayPort: false },
    ...overrides,
  };
}

test('keeps free default ports as they are', async () => {
  const opts = await options();
  const ports = await chooseUpPorts(opts);
  assert.is(ports.mqtt.port, opts.mqttPort);
  assert.is(ports.ui.port, opts.uiPort);
  assert.is(ports.gateway.port, opts.gatewayPort);
  assert.equal(describeFallbacks(ports), []);
});

test('replaces a taken default port with a free one, and says so', async () => {
  const opts = await options();
  const blocker = await occupy(opts.mqttPort);
  try {
    const ports = await chooseUpPorts(opts);
    assert.is.not(ports.mqtt.port, opts.mqttPort);
    assert.ok(ports.mqtt.fellBack);
    assert.equal(describeFallbacks(ports), [
      `port ${opts.mqttPort} (MQTT) is in use; using ${ports.mqtt.port} instead`,
    ]);
  } finally {
    await close(blocker);
  }
});

test('an explicit port that is taken is an error naming the port and the option', async () => {
  const opts = await options({ explicit: { mqttPort: false, uiPort: true, gatewayPort: false } });
  const blocker = await occupy(opts.uiPort);
  try {
    const error = await chooseUpPorts(opts).then(
      () => undefined,
      (e: unknown) => e,
    );
    assert.instance(error, PortInUseError);
    assert.match((error as Error).message, new RegExp(`port ${opts.uiPort} .*--ui-port`));
  } finally {
    await close(blocker);
  }
});

test('a fallback never takes a port that another option asked for', async () => {
  const explicitUi = await freePort();
  const opts = await options({
    uiPort: explicitUi,
    explicit: { mqttPort: false, uiPort: true, gatewayPort: false },
  });
  opts.gatewayPort = opts.uiPort; // the default for the gateway collides with the explicit one
  const ports = await chooseUpPorts(opts);
  assert.is(ports.ui.port, explicitUi);
  assert.is.not(ports.gateway.port, explicitUi);
  assert.ok(ports.gateway.fellBack);
});

test('one port given to two options is an error naming both', async () => {
  const port = await freePort();
  const opts = await options({
    mqttPort: port,
    uiPort: port,
    explicit: { mqttPort: true, uiPort: true, gatewayPort: false },
  });
  const error = await chooseUpPorts(opts).then(
    () => undefined,
    (e: unknown) => e,
  );
  assert.instance(error, PortClashError);
  assert.is(
    (error as Error).message,
    `port ${port} is given to --mqtt-port and --ui-port; each needs a port of its own`,
  );
});

test.run();
