/**
 * A bare MQTT 3.1.1 connection for the load generator and the backend subscriber.
 *
 * Why not MQTT.js: the generator runs thousands of device connections in a couple of worker
 * threads on a 2-core machine, and an MQTT.js client per device (its stores, timers, and
 * reconnect machinery) would make the generator, not the gateway, the bottleneck. The packets
 * that are built once per connection (CONNECT with its will, SUBSCRIBE, DISCONNECT) come from
 * mqtt-packet; the hot path is written out here, because it is tiny and runs 10⁵ times a
 * second: PUBLISH at QoS 1 out, and a framing reader that handles PUBACK, PUBLISH, CONNACK
 * and SUBACK in place (MQTT 3.1.1 §2.2 fixed header, §3.3 PUBLISH, §3.4 PUBACK).
 */
import { connect as netConnect, type Socket } from 'node:net';
import mqttPacket from 'mqtt-packet';

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
const DISCONNECT = mqttPacket.generate({ cmd: 'disconnect' }, OPTS);

const PACKET = { connack: 2, publish: 3, puback: 4, suback: 9 } as const;

/** Bytes of the variable-length "remaining length" field for `n` (§2.2.3). */
function varintSize(n: number): number {
  return n < 128 ? 1 : n < 16_384 ? 2 : n < 2_097_152 ? 3 : 4;
}

function writeVarint(buf: Buffer, offset: number, n: number): number {
  let value = n;
  let at = offset;
  do {
    let byte = value % 128;
    value = Math.floor(value / 128);
    if (value > 0) byte |= 0x80;
    buf[at++] = byte;
  } while (value > 0);
  return at;
}

/** A QoS 1 PUBLISH: fixed header, topic, packet id, payload. */
export function encodePublish(
  topic: Buffer,
  payload: Buffer,
  messageId: number,
  retain: boolean,
): Buffer {
  const remaining = 2 + topic.length + 2 + payload.length;
  const buf = Buffer.allocUnsafe(1 + varintSize(remaining) + remaining);
  buf[0] = 0x32 | (retain ? 1 : 0);
  let at = writeVarint(buf, 1, remaining);
  at = buf.writeUInt16BE(topic.length, at);
  at += topic.copy(buf, at);
  at = buf.writeUInt16BE(messageId, at);
  payload.copy(buf, at);
  return buf;
}

function encodePuback(messageId: number): Buffer {
  const buf = Buffer.allocUnsafe(4);
  buf[0] = 0x40;
  buf[1] = 2;
  buf.writeUInt16BE(messageId, 2);
  return buf;
}

export class WireConnection {
  state: WireState = 'connecting';
  private nextId = 1;
  private readonly waiting = new Map<number, (granted: number | undefined) => void>();
  private closeError: Error | undefined;
  private corked = false;
  /** Bytes of an incomplete packet, kept for the next chunk. */
  private rest: Buffer | undefined;
  private onConnack: ((returnCode: number) => void) | undefined;
  private readonly topics = new Map<string, Buffer>();

  private constructor(
    private readonly socket: Socket,
    private readonly handlers: WireHandlers,
  ) {}

  /** Opens the socket, sends CONNECT and resolves on a successful CONNACK. */
  static open(options: WireOptions, handlers: WireHandlers = {}): Promise<WireConnection> {
    const socket = netConnect({ host: options.host, port: options.port });
    socket.setNoDelay(true);
    const wire = new WireConnection(socket, handlers);
    return new Promise<WireConnection>((resolve, reject) => {
      wire.onConnack = (code) => {
        wire.onConnack = undefined;
        if (code !== 0) {
          socket.destroy();
          reject(new Error(`${options.clientId}: CONNACK return code ${code}`));
          return;
        }
        wire.state = 'connected';
        resolve(wire);
      };
      socket.on('data', (chunk: Buffer) => wire.read(chunk));
      socket.on('error', (error) => {
        wire.closeError = error;
      });
      socket.on('close', () => {
        wire.state = 'closed';
        if (wire.onConnack) {
          const why = wire.closeError?.message ?? 'closed before CONNACK';
          reject(new Error(`${options.clientId}: ${why}`));
        }
        for (const resume of wire.waiting.values()) resume(undefined);
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
    let topicBytes = this.topics.get(topic);
    if (!topicBytes) {
      topicBytes = Buffer.from(topic, 'utf8');
      this.topics.set(topic, topicBytes);
    }
    const messageId = this.allocateId();
    const body = typeof payload === 'string' ? Buffer.from(payload, 'utf8') : payload;
    this.send(encodePublish(topicBytes, body, messageId, retain));
    return messageId;
  }

  /** Publishes at QoS 1 and resolves on its PUBACK (for births and other one-off messages). */
  publishAndWait(topic: string, payload: string, retain = false): Promise<void> {
    const messageId = this.publish(topic, payload, retain);
    return new Promise<void>((resolve, reject) => {
      this.waiting.set(messageId, (granted) => {
        if (granted === undefined) reject(new Error(`no PUBACK for ${topic}: connection closed`));
        else resolve();
      });
    });
  }

  /** Subscribes to one filter at QoS 1; rejects if the broker refuses it (SUBACK 0x80). */
  subscribe(filter: string): Promise<void> {
    const messageId = this.allocateId();
    const granted = new Promise<number | undefined>((resolve) =>
      this.waiting.set(messageId, resolve),
    );
    this.socket.write(
      mqttPacket.generate(
        { cmd: 'subscribe', messageId, subscriptions: [{ topic: filter, qos: 1 }] },
        OPTS,
      ),
    );
    return granted.then((code) => {
      if (code === undefined) throw new Error(`subscribe ${filter}: connection closed`);
      if (code === 0x80) throw new Error(`subscribe ${filter}: refused by the broker`);
    });
  }

  /** Sends PINGREQ (the generator pings every connection from one shared timer). */
  ping(): void {
    if (this.state === 'connected') this.socket.write(PINGREQ);
  }

  /** Sends DISCONNECT and closes; resolves when the socket is gone. */
  end(): Promise<void> {
    if (this.state === 'closed') return Promise.resolve();
    return new Promise<void>((resolve) => {
      this.socket.once('close', () => resolve());
      this.socket.end(DISCONNECT);
      // A broker that never closes its side must not hold the benchmark.
      setTimeout(() => this.socket.destroy(), 2000).unref();
    });
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

  private allocateId(): number {
    const id = this.nextId;
    this.nextId = id === 65535 ? 1 : id + 1;
    return id;
  }

  /** Splits the stream into packets by their fixed header (§2.2) and handles each. */
  private read(chunk: Buffer): void {
    const buf = this.rest ? Buffer.concat([this.rest, chunk]) : chunk;
    let offset = 0;
    for (;;) {
      if (buf.length - offset < 2) break;
      let length = 0;
      let multiplier = 1;
      let at = offset + 1;
      let complete = false;
      for (let i = 0; i < 4 && at < buf.length; i++) {
        const byte = buf[at++] as number;
        length += (byte & 0x7f) * multiplier;
        multiplier *= 128;
        if ((byte & 0x80) === 0) {
          complete = true;
          break;
        }
      }
      if (!complete || at + length > buf.length) break;
      this.handle(buf[offset] as number, buf, at, at + length);
      offset = at + length;
    }
    this.rest = offset < buf.length ? Buffer.from(buf.subarray(offset)) : undefined;
  }

  private handle(header: number, buf: Buffer, start: number, end: number): void {
    switch (header >> 4) {
      case PACKET.puback: {
        const id = buf.readUInt16BE(start);
        const waiter = this.waiting.get(id);
        if (waiter) {
          this.waiting.delete(id);
          waiter(0);
        } else this.handlers.onPuback?.(id);
        return;
      }
      case PACKET.publish: {
        const qos = (header >> 1) & 3;
        const topicLength = buf.readUInt16BE(start);
        const topic = buf.toString('utf8', start + 2, start + 2 + topicLength);
        let at = start + 2 + topicLength;
        if (qos > 0) {
          this.send(encodePuback(buf.readUInt16BE(at)));
          at += 2;
        }
        this.handlers.onPublish?.(topic, buf.subarray(at, end));
        return;
      }
      case PACKET.connack:
        this.onConnack?.(buf[start + 1] as number);
        return;
      case PACKET.suback: {
        const id = buf.readUInt16BE(start);
        this.waiting.get(id)?.(buf[start + 2] as number);
        this.waiting.delete(id);
        return;
      }
      default:
        return; // PINGRESP and the rest need no answer from a benchmark client
    }
  }
}
