/**
 * A small MQTT 3.1.1 client for Espruino's `net` sockets, written because none that fits does
 * QoS 1: Espruino's MQTT module supports only QoS 0 fully (espruino.com/MQTT), tinyMQTT is
 * QoS 0 only and limits topic plus payload to 127 bytes. This one does what the device contract
 * needs and no more: CONNECT with clean session, will, credentials and keepalive; PUBLISH at
 * QoS 0 and 1 with PUBACK tracking (the callback runs on PUBACK); SUBSCRIBE; PUBACK for QoS 1
 * messages received; PINGREQ keepalive; DISCONNECT. No QoS 2, no persistent sessions.
 *
 * Packets are strings of bytes (Espruino sockets carry strings); topics and payloads are
 * UTF-8 encoded on the way out. Espruino-safe: no destructuring, spread, async, Map.
 * Packet layout: OASIS MQTT 3.1.1, section 2 (fixed header) and 3 (each packet).
 */
import type {
  ConnectOptions,
  Done,
  PublishOptions,
  Transport,
  TransportEvents,
} from '../core/types.js';

/** What the client needs of Espruino's `net` socket. */
export interface NetSocket {
  write(data: string): void;
  end(): void;
  on(event: string, fn: (data: string) => void): void;
}
export type NetConnect = (
  options: { host: string; port: number },
  connected: () => void,
) => NetSocket;

export interface MqttClientContext {
  host: string;
  port: number;
  connect: NetConnect;
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(id: unknown): void;
}

/** A UTF-8 byte string of `text` (code points up to U+FFFF). */
export function utf8(text: string): string {
  let out = '';
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c < 0x80) out += text.charAt(i);
    else if (c < 0x800) out += String.fromCharCode(0xc0 | (c >> 6), 0x80 | (c & 63));
    else out += String.fromCharCode(0xe0 | (c >> 12), 0x80 | ((c >> 6) & 63), 0x80 | (c & 63));
  }
  return out;
}

/** A 2-byte length followed by the bytes (MQTT's UTF-8 string, 1.5.3). */
function field(bytes: string): string {
  return String.fromCharCode(bytes.length >> 8, bytes.length & 255) + bytes;
}

/** Fixed header: type and flags, then the remaining length in 7-bit groups (2.2.3). */
export function packet(first: number, body: string): string {
  let length = body.length;
  let header = String.fromCharCode(first);
  do {
    let digit = length % 128;
    length = Math.floor(length / 128);
    if (length > 0) digit = digit | 128;
    header += String.fromCharCode(digit);
  } while (length > 0);
  return header + body;
}

export function connectPacket(options: ConnectOptions): string {
  // Connect flags (3.1.2.3): clean session, will flag with will QoS and retain, credentials.
  let flags = 2 | 4 | (options.will.qos << 3) | (options.will.retain ? 32 : 0);
  let tail = field(utf8(options.will.topic)) + field(utf8(options.will.payload));
  if (options.username !== null) {
    flags = flags | 128;
    tail += field(utf8(options.username));
  }
  if (options.password !== null) {
    flags = flags | 64;
    tail += field(utf8(options.password));
  }
  const k = options.keepaliveS;
  const body = `${field('MQTT')}\x04${String.fromCharCode(flags, k >> 8, k & 255)}${field(utf8(options.clientId))}${tail}`;
  return packet(0x10, body);
}

export function createMqttTransport(context: MqttClientContext): Transport {
  let socket: NetSocket | null = null;
  let events: TransportEvents | null = null;
  let buffer = '';
  let nextId = 1;
  /** Callbacks waiting for PUBACK or SUBACK, by packet id. */
  let waiting: Record<string, Done> = {};
  let pingTimer: unknown = null;
  let pingOutstanding = false;
  let keepaliveMs = 0;
  let open = false;

  function send(data: string): void {
    if (socket !== null) socket.write(data);
  }

  function schedulePing(): void {
    if (pingTimer !== null) context.clearTimeout(pingTimer);
    if (keepaliveMs <= 0) return;
    pingTimer = context.setTimeout(() => {
      pingTimer = null;
      // No PINGRESP within a keepalive period: the link is half-open (3.1.2.10).
      if (pingOutstanding) return close('keepalive timeout');
      pingOutstanding = true;
      send('\xc0\x00');
      schedulePing();
    }, keepaliveMs);
  }

  function close(reason: string): void {
    if (socket === null) return;
    const s = socket;
    const e = events;
    socket = null;
    open = false;
    if (pingTimer !== null) context.clearTimeout(pingTimer);
    pingTimer = null;
    const pending = waiting;
    waiting = {};
    for (const id in pending) (pending[id] as Done)('connection closed');
    let why = reason;
    try {
      s.end();
    } catch (error) {
      // The socket was already gone: say so, there is nothing else to release.
      why = `${reason} (${error})`;
    }
    buffer = '';
    if (e !== null) e.closed(why);
  }

  function packetId(): number {
    const id = nextId;
    nextId = nextId >= 65535 ? 1 : nextId + 1;
    return id;
  }

  function handle(type: number, flags: number, body: string) {
    const e = events as TransportEvents;
    if (type === 2) {
      // CONNACK: return code in byte 2 (3.2.2.3).
      const code = body.charCodeAt(1);
      if (code !== 0) return close(`connection refused by the broker (CONNACK ${code})`);
      open = true;
      return e.connected();
    }
    if (type === 3) {
      const topicLength = (body.charCodeAt(0) << 8) | body.charCodeAt(1);
      const topic = body.substr(2, topicLength);
      let offset = 2 + topicLength;
      const qos = (flags >> 1) & 3;
      if (qos > 0) {
        send(packet(0x40, body.substr(offset, 2)));
        offset += 2;
      }
      return e.message(topic, body.substr(offset));
    }
    if (type === 4 || type === 9) {
      const id = String((body.charCodeAt(0) << 8) | body.charCodeAt(1));
      const done = waiting[id];
      delete waiting[id];
      // SUBACK return code 0x80 is a refusal (3.9.3).
      if (done !== undefined)
        done(type === 9 && body.charCodeAt(2) === 0x80 ? 'subscription refused' : null);
      return;
    }
    if (type === 13) pingOutstanding = false;
  }

  function receive(data: string): void {
    buffer += data;
    for (;;) {
      if (buffer.length < 2) return;
      let length = 0;
      let multiplier = 1;
      let i = 1;
      let byte = 0;
      do {
        if (i >= buffer.length) return;
        byte = buffer.charCodeAt(i++);
        length += (byte & 127) * multiplier;
        multiplier *= 128;
      } while ((byte & 128) !== 0);
      if (buffer.length < i + length) return;
      const first = buffer.charCodeAt(0);
      const body = buffer.substr(i, length);
      buffer = buffer.substr(i + length);
      pingOutstanding = false;
      handle(first >> 4, first & 15, body);
    }
  }

  return {
    connect(options, handlers) {
      events = handlers;
      keepaliveMs = options.keepaliveS * 1000;
      buffer = '';
      let s: NetSocket;
      try {
        // Espruino throws here when the connection is refused (shared/espruino.md).
        s = context.connect({ host: context.host, port: context.port }, () => {
          send(connectPacket(options));
          schedulePing();
        });
      } catch (error) {
        context.setTimeout(() => handlers.closed(`cannot connect: ${error}`), 0);
        return;
      }
      socket = s;
      s.on('data', receive);
      s.on('close', () => close('connection closed'));
      s.on('error', (error) => close(`socket error: ${error}`));
    },
    publish(topic, payload, options: PublishOptions, done) {
      if (!open) return done('not connected');
      let body = field(utf8(topic));
      let id = 0;
      if (options.qos === 1) {
        id = packetId();
        body += String.fromCharCode(id >> 8, id & 255);
        waiting[String(id)] = done;
      }
      send(packet(0x30 | (options.qos << 1) | (options.retain ? 1 : 0), body + utf8(payload)));
      if (options.qos === 0) done(null);
    },
    subscribe(topic, qos, done) {
      if (!open) return done('not connected');
      const id = packetId();
      waiting[String(id)] = done;
      send(
        packet(
          0x82,
          String.fromCharCode(id >> 8, id & 255) + field(utf8(topic)) + String.fromCharCode(qos),
        ),
      );
    },
    end(done) {
      if (socket === null) return done();
      events = null;
      send('\xe0\x00');
      close('clean disconnect');
      done();
    },
  };
}
