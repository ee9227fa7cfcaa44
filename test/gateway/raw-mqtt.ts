/**
 * A raw MQTT 3.1.1 client over a TCP socket, for what MQTT.js will not do on purpose: go
 * silent without closing (a half-open link, to reach the broker's keepalive timeout).
 */
import { connect, type Socket } from 'node:net';

function remainingLength(n: number): number[] {
  const out: number[] = [];
  do {
    let byte = n % 128;
    n = Math.floor(n / 128);
    if (n > 0) byte |= 0x80;
    out.push(byte);
  } while (n > 0);
  return out;
}

function utf8(s: string): Buffer {
  const b = Buffer.from(s, 'utf8');
  return Buffer.concat([Buffer.from([b.length >> 8, b.length & 0xff]), b]);
}

function packet(type: number, body: Buffer): Buffer {
  return Buffer.concat([Buffer.from([type, ...remainingLength(body.length)]), body]);
}

/** Connects with `keepaliveS`, waits for CONNACK 0, and then sends only what it is told. */
export async function rawClient(
  port: number,
  clientId: string,
  keepaliveS: number,
): Promise<{
  socket: Socket;
  publishQos0(topic: string, payload: string): void;
}> {
  const socket = connect({ host: '127.0.0.1', port });
  await new Promise<void>((resolve, reject) => {
    socket.once('connect', () => resolve());
    socket.once('error', reject);
  });
  const variable = Buffer.concat([
    utf8('MQTT'),
    Buffer.from([4, 0x02, keepaliveS >> 8, keepaliveS & 0xff]),
  ]);
  socket.write(packet(0x10, Buffer.concat([variable, utf8(clientId)])));
  await new Promise<void>((resolve, reject) => {
    socket.once('data', (data) => {
      if (data[0] === 0x20 && data[3] === 0) resolve();
      else reject(new Error(`no CONNACK 0: ${data.toString('hex')}`));
    });
  });
  return {
    socket,
    publishQos0(topic, payload) {
      socket.write(packet(0x30, Buffer.concat([utf8(topic), Buffer.from(payload, 'utf8')])));
    },
  };
}
