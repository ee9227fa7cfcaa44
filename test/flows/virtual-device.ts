/**
 * A small virtual device behind a virtual gateway, for end-to-end flow tests: it speaks the
 * gateway's upstream topics (devices, telemetry, cmd, ack) on a real broker, keeps its actuator
 * state, and acks `set`, `ping`, `interval` and `reboot` like the firmware does. Commands it
 * should ignore (to test timeouts) are listed in `silentCommands`.
 */
import mqtt from 'mqtt';
import { type UpstreamAck, type UpstreamCommand, upstreamTopic } from '../../contract/index.js';
import type { TestBroker } from '../helpers/broker.js';
import { batch, birth, full, reading } from './upstream-fixtures.js';

export interface VirtualDevice {
  id: string;
  gateway: string;
  /** Actuator values, as the device holds them. */
  state: Record<string, unknown>;
  commands: UpstreamCommand[];
  silentCommands: Set<string>;
  publishReading(readings: Record<string, number | boolean>, ts?: number): Promise<void>;
  close(): Promise<void>;
}

export async function startVirtualDevice(
  brokerUrl: string,
  options: { id: string; gateway: string },
): Promise<VirtualDevice> {
  const { id, gateway } = options;
  const client = await mqtt.connectAsync(brokerUrl, { clientId: `virtual-${gateway}-${id}` });
  const device: VirtualDevice = {
    id,
    gateway,
    state: { fan_led: false },
    commands: [],
    silentCommands: new Set(),
    async publishReading(readings, ts = Date.now()) {
      await client.publishAsync(
        upstreamTopic(gateway, 'telemetry'),
        JSON.stringify(batch([reading(id, readings, ts)], gateway)),
        {
          qos: 1,
        },
      );
    },
    async close() {
      await client.endAsync();
    },
  };
  const ack = (message: UpstreamAck) =>
    client.publishAsync(upstreamTopic(gateway, 'ack'), JSON.stringify(message), { qos: 1 });

  client.on('message', (_topic, payload) => {
    const command = JSON.parse(payload.toString()) as UpstreamCommand;
    if (command.device !== id) return;
    device.commands.push(command);
    if (device.silentCommands.has(command.name)) return;
    const args = command.args as { actuator?: string; value?: unknown };
    switch (command.name) {
      case 'set':
        if (typeof args.actuator !== 'string' || !(args.actuator in device.state)) {
          void ack({
            device: id,
            ack: { id: command.id, ok: false, error: `unknown actuator ${String(args.actuator)}` },
          });
          return;
        }
        device.state[args.actuator] = args.value;
        void ack({
          device: id,
          ack: { id: command.id, ok: true, result: { [args.actuator]: args.value } },
        });
        return;
      case 'ping':
      case 'interval':
      case 'reboot':
        void ack({ device: id, ack: { id: command.id, ok: true } });
        return;
      default:
        void ack({
          device: id,
          ack: { id: command.id, ok: false, error: `unknown command ${command.name}` },
        });
    }
  });
  await client.subscribeAsync(upstreamTopic(gateway, 'cmd'), { qos: 1 });
  const me = {
    device: id,
    online: true,
    since: Date.now(),
    via: 'mqtt' as const,
    birth: birth({
      sensors: [
        { id: 'temp', kind: 'temperature', unit: '°C' },
        { id: 'light', kind: 'light', unit: 'lx' },
      ],
      actuators: [{ id: 'fan_led', kind: 'led' }],
    }),
  };
  await client.publishAsync(
    upstreamTopic(gateway, 'devices'),
    JSON.stringify(full([me], gateway)),
    { qos: 1, retain: true },
  );
  return device;
}

/**
 * Resolves when some client subscribes to `topic` on the test broker: call it before starting
 * Node-RED, await it before publishing what Node-RED must not miss.
 */
export function subscribed(
  aedes: TestBroker['aedes'],
  topic: string,
  timeoutMs = 30_000,
): Promise<void> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`nobody subscribed to ${topic} within ${timeoutMs} ms`)),
      timeoutMs,
    );
    const onSubscribe = (subs: Array<{ topic: string }>) => {
      if (!subs.some((s) => s.topic === topic)) return;
      clearTimeout(timer);
      aedes.off('subscribe', onSubscribe);
      resolve();
    };
    aedes.on('subscribe', onSubscribe);
  });
}
