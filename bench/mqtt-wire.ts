/**
 * A bare MQTT 3.1.1 connection for the load generator: mqtt-packet over a net socket.
 *
 * Why not MQTT.js: the generator runs thousands of device connections in a couple of worker
 * threads on a 2-core machine, and an MQTT.js client per device (its stores, timers, and
 * reconnect machinery) would make the generator, not the gateway, the bottleneck. This file
 * keeps only what a benchmark device does: CONNECT, SUBSCRIBE, QoS 1 PUBLISH, PUBACK both ways.
 */
import { connect as netConnect, type Socket } from 'node:net';
import mqttPacket, { type IPublishPacket, type Packet } from 'mqtt-packet';

export interface WireOptions {
  host: string;
  port: number;
  clientId: string;
  username?: string;
  password?: string;
  /** Seconds; 0 disables keepalive (the broker never times the connection out). */
  keepalive: number;
  will?: { topic: string; payload: string; qos: 0 | 1; retain: boolean };
}

export type WireState = 'connecting' | 'connected' | 'closed';

export interface WireHandlers {
  /** A PUBACK for one of our QoS 1 publishes. */
  onPuback?(messageId: number): void;
  /** A PUBLISH from the broker (QoS 1 ones are acknowledged by this class, before the call). */
  onPublish?(topic: string, payload: Buffer): void;
  onClose?(error: Error | undefined): void;
}

const OPTS = { protocolVersion: 4 } as const;
const PINGREQ = mqttPacket.generate({ cmd: 'pingreq' }, OPTS);

export class WireConnection {
  state: WireState = 'connecting';
  private readonly socket: Socket;
  private nextId = 1;
  private readonly waiting = new Map<number, (packet: Packet) => void>();
  private closeError: Error | undefined;
  private corked = false;

  private constructor(
    socket: Socket,
    private readonly handlers: WireHandlers,
  ) {
    this.socket = socket;
  }

  /** Opens the socket, sends CONNECT and resolves on a successful CONNACK. */
  static open(options: WireOptions, handlers: WireHandlers = {}): Promise<WireConnection> {
    const socket = netConnect({ host: options.host, port: options.port });
    socket.setNoDelay(true);
    const wire = new WireConnection(socket, handlers);
    return new Promise<WireConnection>((resolve, reject) => {
      const parser = mqttPacket.parser(OPTS);
      let connected = false;
      parser.on('packet', (packet: Packet) => {
        if (!connected) {
          if (packet.cmd !== 'connack') return;
          connected = true;
          if (packet.returnCode !== 0) {
            socket.destroy();
            reject(new Error(`${options.clientId}: CONNACK return code ${packet.returnCode}`));
            return;
          }
          wire.state = 'connected';
          resolve(wire);
          return;
        }
        wire.dispatch(packet);
      });
      parser.on('error', (error: Error) => {
        wire.closeError = error;
        socket.destroy();
      });
      socket.on('data', (chunk: Buffer) => parser.parse(chunk));
      socket.on('error', (error) => {
        wire.closeError = error;
        if (!connected) reject(new Error(`${options.clientId}: ${error.message}`));
      });
      socket.on('close', () => {
        wire.state = 'closed';
        if (!connected) reject(new Error(`${options.clientId}: closed before CONNACK`));
        for (const resume of wire.waiting.values()) resume({ cmd: 'disconnect' });
        wire.waiting.clear();
        handlers.onClose?.(wire.closeError);
      });
      socket.on('connect', () => {
        socket.write(
          mqttPacket.generate(
            {
              cmd: 'connect',
              protocolId: 'MQTT',
              protocolVersion: 4,
              clean: true,
              clientId: options.clientId,
              keepalive: options.keepalive,
              ...(options.username !== undefined ? { username: options.username } : {}),
              ...(options.password !== undefined
                ? { password: Buffer.from(options.password) }
                : {}),
              ...(options.will ? { will: options.will } : {}),
            },
            OPTS,
          ),
        );
      });
    });
  }

  /** Sends a QoS 1 PUBLISH; returns its packet id (the PUBACK names it). */
  publish(topic: string, payload: string | Buffer, retain = false): number {
    const messageId = this.allocateId();
    this.send(
      mqttPacket.generate(
        { cmd: 'publish', topic, payload, qos: 1, retain, dup: false, messageId },
        OPTS,
      ),
    );
    return messageId;
  }

  /** Publishes at QoS 1 and resolves on its PUBACK (for births and other one-off messages). */
  publishAndWait(topic: string, payload: string, retain = false): Promise<void> {
    const messageId = this.publish(topic, payload, retain);
    return this.await(messageId, 'puback');
  }

  /** Subscribes to one filter at QoS 1; rejects if the broker refuses it (SUBACK 0x80). */
  async subscribe(filter: string): Promise<void> {
    const messageId = this.allocateId();
    const done = new Promise<Packet>((resolve) => this.waiting.set(messageId, resolve));
    this.socket.write(
      mqttPacket.generate(
        { cmd: 'subscribe', messageId, subscriptions: [{ topic: filter, qos: 1 }] },
        OPTS,
      ),
    );
    const packet = await done;
    if (packet.cmd !== 'suback') throw new Error(`subscribe ${filter}: connection closed`);
    if (packet.granted[0] === 0x80) throw new Error(`subscribe ${filter}: refused by the broker`);
  }

  /** Writes a packet; writes made in the same turn leave together (one segment, not many). */
  private send(buffer: Buffer): void {
    if (!this.corked) {
      this.corked = true;
      this.socket.cork();
      process.nextTick(() => {
        this.corked = false;
        this.socket.uncork();
      });
    }
    this.socket.write(buffer);
  }

  /** Sends DISCONNECT and closes; resolves when the socket is gone. */
  end(): Promise<void> {
    if (this.state === 'closed') return Promise.resolve();
    return new Promise<void>((resolve) => {
      this.socket.once('close', () => resolve());
      this.socket.end(mqttPacket.generate({ cmd: 'disconnect' }, OPTS));
      // A broker that never closes its side must not hold the benchmark.
      setTimeout(() => this.socket.destroy(), 2000).unref();
    });
  }

  /** Sends PINGREQ (the generator pings every connection from one shared timer). */
  ping(): void {
    if (this.state === 'connected') this.socket.write(PINGREQ);
  }

  /** Drops the socket without DISCONNECT (the will fires, as for a device that lost power). */
  destroy(): void {
    this.socket.destroy();
  }

  private allocateId(): number {
    const id = this.nextId;
    this.nextId = id === 65535 ? 1 : id + 1;
    return id;
  }

  private await(messageId: number, cmd: 'puback'): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      this.waiting.set(messageId, (packet) => {
        if (packet.cmd === cmd) resolve();
        else reject(new Error(`no ${cmd} for packet ${messageId}: connection closed`));
      });
    });
  }

  private dispatch(packet: Packet): void {
    switch (packet.cmd) {
      case 'puback': {
        const id = packet.messageId as number;
        const waiter = this.waiting.get(id);
        if (waiter) {
          this.waiting.delete(id);
          waiter(packet);
        } else this.handlers.onPuback?.(id);
        return;
      }
      case 'suback': {
        const id = packet.messageId as number;
        this.waiting.get(id)?.(packet);
        this.waiting.delete(id);
        return;
      }
      case 'publish': {
        const publish = packet as IPublishPacket;
        if (publish.qos === 1) {
          this.send(
            mqttPacket.generate({ cmd: 'puback', messageId: publish.messageId as number }, OPTS),
          );
        }
        this.handlers.onPublish?.(publish.topic, publish.payload as Buffer);
        return;
      }
      default:
        return; // PINGRESP and the rest need no answer from a benchmark client
    }
  }
}
