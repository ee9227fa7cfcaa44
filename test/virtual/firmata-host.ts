/**
 * A raw Firmata host for the virtual board's unit tests: opens a SerialPortMock, writes bytes,
 * and splits what the board sends into messages (board → host framing: REPORT_VERSION carries
 * two data bytes, digital and analog messages two, sysex up to END_SYSEX).
 */
import { SerialPortMock } from 'serialport';

export type BoardMessage =
  | { kind: 'version'; major: number; minor: number }
  | { kind: 'digital'; port: number; value: number }
  | { kind: 'analog'; channel: number; value: number }
  | { kind: 'sysex'; command: number; data: number[] };

export class RawHost {
  readonly port: SerialPortMock;
  readonly messages: BoardMessage[] = [];
  private pending: number[] = [];
  private waiters: (() => void)[] = [];

  constructor(path: string) {
    this.port = new SerialPortMock({ path, baudRate: 57600, autoOpen: false });
    this.port.on('data', (data: Buffer) => this.onData(data));
  }

  open(): Promise<void> {
    return new Promise((resolve, reject) =>
      this.port.open((err) => (err ? reject(err) : resolve())),
    );
  }

  close(): Promise<void> {
    if (!this.port.isOpen) return Promise.resolve();
    return new Promise((resolve) => this.port.close(() => resolve()));
  }

  send(bytes: number[]): Promise<void> {
    return new Promise((resolve, reject) =>
      this.port.write(Buffer.from(bytes), (err) => (err ? reject(err) : resolve())),
    );
  }

  /** Sends and waits until the board has had its chance to answer. */
  async request(bytes: number[]): Promise<void> {
    await this.send(bytes);
    await this.settle();
  }

  /** Lets the mock binding's nextTick-based reads and writes run. */
  async settle(rounds = 10): Promise<void> {
    for (let i = 0; i < rounds; i++) await new Promise<void>((r) => setImmediate(r));
  }

  /** Waits until a message matching `test` has arrived (fails after `ms` of real time). */
  async waitFor<T extends BoardMessage>(test: (m: BoardMessage) => m is T, ms?: number): Promise<T>;
  async waitFor(test: (m: BoardMessage) => boolean, ms?: number): Promise<BoardMessage>;
  async waitFor(test: (m: BoardMessage) => boolean, ms = 2000): Promise<BoardMessage> {
    const deadline = Date.now() + ms;
    for (;;) {
      const found = this.messages.find(test);
      if (found) return found;
      if (Date.now() > deadline) {
        throw new Error(`no matching message; received ${JSON.stringify(this.messages)}`);
      }
      await new Promise<void>((resolve) => {
        this.waiters.push(resolve);
        setTimeout(resolve, 20);
      });
    }
  }

  sysex(command: number): { kind: 'sysex'; command: number; data: number[] }[] {
    return this.messages.filter(
      (m): m is { kind: 'sysex'; command: number; data: number[] } =>
        m.kind === 'sysex' && m.command === command,
    );
  }

  clear(): void {
    this.messages.length = 0;
  }

  private onData(data: Buffer): void {
    for (const byte of data) {
      this.pending.push(byte);
      const [first] = this.pending;
      if (first === 0xf0) {
        if (byte === 0xf7) {
          const [, command, ...rest] = this.pending;
          this.messages.push({ kind: 'sysex', command, data: rest.slice(0, -1) });
          this.pending = [];
        }
      } else if (this.pending.length === 3) {
        const [status, a, b] = this.pending;
        if (status === 0xf9) this.messages.push({ kind: 'version', major: a, minor: b });
        else if ((status & 0xf0) === 0x90)
          this.messages.push({ kind: 'digital', port: status & 0x0f, value: a | (b << 7) });
        else if ((status & 0xf0) === 0xe0)
          this.messages.push({ kind: 'analog', channel: status & 0x0f, value: a | (b << 7) });
        this.pending = [];
      }
    }
    for (const waiter of this.waiters.splice(0)) waiter();
  }
}

/** Decodes 7-bit pairs (LSB, MSB) into bytes, as in firmware names and I2C replies. */
export function pairs(data: number[]): number[] {
  const out: number[] = [];
  for (let i = 0; i + 1 < data.length; i += 2) out.push(data[i] | (data[i + 1] << 7));
  return out;
}
