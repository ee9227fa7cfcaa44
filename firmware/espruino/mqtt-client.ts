/**
 * A small MQTT 3.1.1 client for Espruino's `net` sockets, written because none that fits does
 * QoS 1: Espruino's MQTT module supports only QoS 0 fully (espruino.com/MQTT), tinyMQTT is
 * QoS 0 only and limits topic plus payload to 127 bytes. This one does what the device contract
 * needs and no more: CONNECT with clean session, will, credentials and keepalive; PUBLISH at
 * QoS 0 and 1 with PUBACK tracking (the callback runs on PUBACK); SUBSCRIBE; PUBACK for QoS 1
 * messages received; PINGREQ keepalive; DISCONNECT. No QoS 2, no persistent sessions.
 *
 * Packets, topics and payloads are strings of bytes, as Espruino sockets carry them: the
 * bundle's own strings are ASCII except the birth's units, which the build encodes as UTF-8
 * (build.ts), and a received payload keeps its bytes, so an id echoed in an ack stays valid
 * UTF-8. Espruino-safe: no destructuring, spread, async, Map.
 * Packet layout: OASIS MQTT 3.1.1, section 2 (fixed header) and 3 (each packet).
 */
import { CONTROL } from '../core/features.js';
import { logText } from '../core/log-text.js';
import type { ConnectOptions, Done, Transport, TransportEvents } from '../core/types.js';

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

/** The broker's credentials (null: none), as bytes. */
export interface MqttCredentials {
  username: string | null;
  password: string | null;
}

export interface MqttClientContext extends MqttCredentials {
  host: string;
  port: number;
  /** net.connect (a name of our own: the bundle shortens it). */
  netConnect: NetConnect;
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(id: unknown): void;
}

/** One name for String.fromCharCode, which builds every packet: five uses in the bundle.
 *  Unbound, as main.ts uses Date.now and Math.random: it reads no `this`. */
const chars = String.fromCharCode;

/** Two bytes, most significant first: lengths and packet ids (1.5.2). */
function u16(n: number): string {
  return chars(n >> 8, n & 255);
}

/** An MQTT string: the 2-byte length, then the bytes (1.5.3). */
function field(bytes: string): string {
  return u16(bytes.length) + bytes;
}

/** Fixed header: type and flags, then the remaining length in 7-bit groups (2.2.3). */
export function packet(first: number, body: string): string {
  let n = body.length;
  let header = chars(first);
  for (; n > 127; n >>= 7) header += chars((n & 127) | 128);
  return header + chars(n) + body;
}

export function connectPacket(options: ConnectOptions, credentials: MqttCredentials): string {
  // Connect flags (3.1.2.3): clean session (2), a will (4) at QoS 1 (8), retained (32); then
  // the credentials.
  let flags = 46;
  let tail = field(options.willTopic) + field(options.willPayload);
  if (credentials.username !== null) {
    flags |= 128;
    tail += field(credentials.username);
  }
  if (credentials.password !== null) {
    flags |= 64;
    tail += field(credentials.password);
  }
  return packet(
    0x10,
    `\0\x04MQTT\x04${chars(flags)}${u16(options.keepaliveS)}${field(options.clientId)}${tail}`,
  );
}

// The client's state. One client per bundle, so its state and its functions live at the top of
// the bundle, where a function costs the fewest variables on the board (budget.ts);
// createMqttTransport starts it afresh. What open() sets before any use has no initial
// value (each one is bytes in the bundle).
let context: MqttClientContext;
let socket: NetSocket | null = null;
let events: TransportEvents | null;
/** The CONNECT packet until the socket is up to take it. */
let hello: string;
let keepaliveMs: number;
let buffer: string;
let nextId = 0;
/** Callbacks waiting for PUBACK or SUBACK, by packet id. */
let waiting: Record<string, Done> = {};
let pingTimer: unknown = null;
/** Packets received since the last ping: none in a keepalive period means half-open. */
let heard: boolean;
/** CONNACK received on the socket that is up (undefined, false, before the first). */
let accepted: boolean;

function send(data: string): void {
  if (socket) socket.write(data);
}

/** Also the socket's close and error listener: the reason goes to the core's log only, which
 *  a board does not carry. */
function close(reason?: string): void {
  const s = socket;
  if (!s) return;
  socket = null;
  accepted = false;
  // Never clearTimeout(null): on Espruino a missing id clears every timer.
  if (pingTimer !== null) context.clearTimeout(pingTimer);
  pingTimer = null;
  const pending = waiting;
  waiting = {};
  for (const id in pending) pending[id](logText('connection closed'));
  let why = '';
  try {
    s.end();
  } catch (error) {
    // The socket was already gone: say so (to a log), there is nothing else to release.
    why = ` (${error})`;
  }
  // Only end(), on a host, leaves no one to tell (also when a callback above called it: the
  // core's goodbye does, and a stopping core ignores `closed`).
  if (!CONTROL || events !== null)
    (events as TransportEvents).closed(logText(String(reason) + why));
}

/** Registers `done` under a fresh packet id (1 to 65535) and returns the id's two bytes. */
function track(done: Done): string {
  nextId = (nextId % 65535) + 1;
  waiting[nextId] = done;
  return u16(nextId);
}

/** First when the socket is up: the CONNECT. Then once a keepalive period: a PINGREQ, or the
 *  end of a half-open link that sent nothing since the last one, not even a PINGRESP
 *  (3.1.2.10). The period is never 0: keepaliveS is at least 5 (the config schema). */
function tick() {
  if (hello) {
    send(hello);
    hello = '';
  } else if (!heard) {
    return close(logText('keepalive timeout'));
  } else {
    heard = false;
    send('\xc0\0');
  }
  pingTimer = context.setTimeout(tick, keepaliveMs);
}

/**
 * Takes every whole packet off the buffer and acts on it. What a server sends a client that
 * uses neither QoS 2 nor UNSUBSCRIBE: CONNACK, PUBLISH, PUBACK, SUBACK, PINGRESP (3.1.1
 * section 3), so whatever else carries a packet id we are waiting for is a PUBACK or SUBACK.
 */
function receive(data: string) {
  buffer += data;
  heard = true;
  for (;;) {
    // The remaining length (2.2.3): 7 bits a byte, least significant first, while bit 8 is set.
    // Past the end of the buffer charCodeAt gives NaN (0 on older Espruino builds), which ends the
    // loop, and then i is past the end too: a header not all here waits like a body.
    let length = 0;
    let i = 1;
    let byte: number;
    do {
      byte = buffer.charCodeAt(i);
      length += (byte & 127) << (7 * i++ - 7);
    } while (byte & 128);
    if (buffer.length < i + length) return;
    const first = buffer.charCodeAt(0);
    const type = first >> 4;
    const body = buffer.substr(i, length);
    buffer = buffer.substr(i + length);
    // A packet id; a PUBLISH's topic length; a CONNACK's return code, since with a clean
    // session its first byte (session present) is 0 (3.2.2.2). A PINGRESP has no body: 0.
    const id = (body.charCodeAt(0) << 8) | body.charCodeAt(1);
    if (type === 2) {
      if (id) return close(logText(`refused: CONNACK ${id}`));
      accepted = true;
      (events as TransportEvents).connected();
    } else if (type === 3) {
      // PUBLISH: topic, then a packet id at QoS 1 (answered with PUBACK), then the payload.
      let offset = 2 + id;
      if (first & 6) {
        send(`\x40\x02${body.substr(offset, 2)}`);
        offset += 2;
      }
      (events as TransportEvents).received(body.substr(2, id), body.substr(offset));
    } else if (waiting[id]) {
      // PUBACK or SUBACK; a SUBACK's return code 0x80 is a refusal (3.9.3), and a PUBACK has
      // no third byte.
      const done = waiting[id];
      delete waiting[id];
      done(body[2] === '\x80' ? logText('subscription refused') : null);
    }
  }
}

/** The client: its methods are the Transport (createMqttTransport adds `end` on a host). An
 *  object of methods rather than one of function-valued members, which the minifiers keep as
 *  `connect: function (…)`, 9 bytes more each. */
const client = {
  open(options: ConnectOptions, handlers: TransportEvents): void {
    events = handlers;
    hello = connectPacket(options, context);
    keepaliveMs = options.keepaliveS * 1000;
    buffer = '';
    heard = true;
    let s: NetSocket;
    try {
      // Espruino throws here when the connection is refused (shared/espruino.md). The context
      // is the options object: net.connect reads its host and port.
      s = context.netConnect(context, tick);
    } catch (error) {
      context.setTimeout(() => handlers.closed(logText(`cannot connect: ${error}`)), 0);
      return;
    }
    socket = s;
    s.on('data', receive);
    s.on('close', close);
    s.on('error', close);
  },

  publish(topic: string, payload: string, qos: 0 | 1, done: Done, retain?: boolean) {
    if (!accepted) return done(logText('not connected'));
    send(
      packet(
        0x30 | (qos << 1) | (retain ? 1 : 0),
        field(topic) + (qos ? track(done) : '') + payload,
      ),
    );
    if (!qos) done(null);
  },

  /** At QoS 1, the only one the contract subscribes with (its cmd topic). */
  subscribe(topic: string, done: Done) {
    if (!accepted) return done(logText('not connected'));
    send(packet(0x82, `${track(done) + field(topic)}\x01`));
  },
} as Transport;

/** A clean DISCONNECT: only a host stops the runtime (firmware/core/features.ts). */
function end(done: () => void): void {
  events = null;
  send('\xe0\0');
  close(logText('clean disconnect'));
  done();
}

/** The bundle's client, started afresh (one at a time: its state is the module's). */
export function createMqttTransport(clientContext: MqttClientContext): Transport {
  context = clientContext;
  // A board makes one client, which finds the state as the module set it; a host (tests) may
  // make several in one process.
  if (CONTROL) {
    socket = null;
    events = null;
    nextId = 0;
    waiting = {};
    pingTimer = null;
    accepted = false;
    client.end = end;
  }
  return client;
}
