/**
 * The device side of the gateway, one child of the tree: the embedded Aedes with the MQTT
 * connector, or (with `deviceBroker`) the link to an external broker such as Mosquitto.
 */
import { statusTopic } from '../contract/index.js';
import { type RunningBroker, startBroker } from './broker.js';
import { ExternalDevices } from './external-devices.js';
import { MqttDevices } from './mqtt-devices.js';
import { handle, need, urlHost } from './part-handle.js';
import { collectAfterStorms } from './storm-gc.js';
import type { ChildHandle } from './supervisor/types.js';
import type { GatewayParts } from './tree.js';

const REVOCATION_CHECK_MS = 1000;

export async function startDeviceSide(p: GatewayParts): Promise<ChildHandle> {
  const presence = need(p.presence, 'store');
  const ingest = need(p.ingest, 'sessions');
  if (p.deviceBroker) {
    const external = new ExternalDevices({
      ...p.deviceBroker,
      gatewayId: p.settings.gatewayId,
      ingest,
      presence,
      clock: p.clock,
      log: p.log.child({ part: 'device-broker' }),
      onDeviceReady: (device) => p.commands?.deviceOnline(device),
    });
    p.external = external;
    const link = await external.start();
    return {
      done: link.done,
      stop: async () => {
        external.markAllOffline('gateway-stopping');
        presence.flush();
        await link.stop();
      },
    };
  }
  const mqtt = new MqttDevices({
    gatewayId: p.settings.gatewayId,
    credentials: p.credentials,
    allowAnonymous: p.allowAnonymous,
    ingest,
    presence,
    log: p.log.child({ part: 'mqtt' }),
    onDeviceReady: (device) => p.commands?.deviceOnline(device),
  });
  p.mqtt = mqtt;
  let broker: RunningBroker | undefined;
  // Revocations take effect within this time for devices already connected.
  const revocationCheck = p.clock.setInterval(() => {
    try {
      mqtt.dropRevoked();
    } catch (error) {
      p.log.warn({ err: (error as Error).message }, 'cannot check for revoked credentials');
    }
  }, REVOCATION_CHECK_MS);
  // The garbage of a connection storm goes back to the OS once the storm is over (storm-gc.ts).
  const storms = collectAfterStorms({
    onCollected: (ms) => p.log.info({ ms: Math.round(ms) }, 'collected after a connection storm'),
  });
  const h = handle(async () => {
    storms.stop();
    p.clock.clearInterval(revocationCheck);
    mqtt.markAllOffline('gateway-stopping');
    presence.flush();
    await broker?.close();
  });
  broker = await startBroker({
    host: p.host,
    port: p.mqttPort,
    hooks: mqtt.hooks(),
    attach: (aedes) => {
      mqtt.attach(aedes);
      aedes.on('client', () => storms.connected());
      // Aedes emits 'error' for failures of its own (persistence); its types omit it. A crash
      // is reported only once the port is closed, so the restart can listen on it again.
      (aedes as unknown as NodeJS.EventEmitter).on('error', (error: Error) => {
        p.log.error({ err: error.message }, 'device broker failed');
        p.clock.clearInterval(revocationCheck);
        mqtt.markAllOffline('gateway-stopping');
        void (broker?.close() ?? Promise.resolve()).finally(() => h.crash(error));
      });
      // The broker's retained store starts empty: state every known device's status before
      // the listener opens, so nobody reads a stale or missing one.
      for (const entry of presence.all()) {
        if (entry.online) continue;
        const body = JSON.stringify({ online: false, reason: entry.reason, ts: entry.since });
        aedes.publish(
          {
            cmd: 'publish',
            topic: statusTopic(entry.device),
            payload: Buffer.from(body),
            qos: 1,
            retain: true,
            dup: false,
          },
          () => undefined,
        );
      }
    },
  });
  mqtt.setBroker(broker);
  p.broker = broker;
  p.mqttPort = broker.port;
  if (p.embeddedUpstream) p.upstream.url = `mqtt://${urlHost(p.host)}:${broker.port}`;
  return h;
}
