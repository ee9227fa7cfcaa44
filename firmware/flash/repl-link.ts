/**
 * A host-side conversation with an Espruino REPL over an open serial port: send raw text, and
 * ask the board to evaluate an expression and answer with its JSON. Every question carries a
 * fresh tag that the board prints before its answer; the tag is built by concatenation on the
 * board so that an echo of the question never looks like an answer.
 */
import type { SerialPortStream } from '@serialport/stream';
import type { Clock, TimerId } from '../../lib/clock.js';

/** DLE: at the start of a line, tells Espruino not to echo that line. */
const DLE = '\x10';
const MAX_BUFFER = 64 * 1024;

/** The board did not answer in time. */
export class NoAnswerError extends Error {
  override readonly name = 'NoAnswerError';
}

interface Waiter {
  pattern: RegExp;
  resolve: (match: RegExpExecArray) => void;
  reject: (error: Error) => void;
  timer: TimerId;
}

export class ReplLink {
  private buffer = '';
  private everReceived = 0;
  private readonly waiters = new Set<Waiter>();
  private sequence = 0;

  constructor(
    private readonly port: SerialPortStream,
    private readonly clock: Clock,
  ) {
    port.on('data', (data: Buffer) => this.onData(data));
  }

  /** Bytes received since the link was made (to tell a silent port from a talkative one). */
  get bytesReceived(): number {
    return this.everReceived;
  }

  /** The last things the board said, for error messages. */
  recentOutput(max = 120): string {
    return this.buffer.slice(-max);
  }

  /** Writes raw text and waits until it has left the host. */
  write(text: string): Promise<void> {
    return new Promise((resolve, reject) => {
      this.port.write(Buffer.from(text, 'latin1'), (error) => {
        if (error) reject(error);
        else this.port.drain((drainError) => (drainError ? reject(drainError) : resolve()));
      });
    });
  }

  /**
   * Evaluates `expression` on the board and returns its value, sent back as JSON. Rejects with
   * NoAnswerError after `timeoutMs`, and with an Error carrying the board's message when the
   * expression throws there.
   */
  async query<T>(expression: string, timeoutMs: number): Promise<T> {
    const tag = `fs${++this.sequence}`;
    const answer = new RegExp(`<${tag}>(.*?)\\r?\\n|(Uncaught [^\\r\\n]*)`);
    const reply = this.waitFor(answer, timeoutMs);
    await this.write(`${DLE}print("<"+"${tag}>"+JSON.stringify(${expression}))\n`);
    const match = await reply;
    if (match[2]) throw new Error(match[2]);
    // JSON.stringify(undefined) is undefined, printed as the word.
    return (match[1] === 'undefined' ? undefined : JSON.parse(match[1]!)) as T;
  }

  /** Resolves when the board's output matches `pattern`; consumes output up to the match. */
  waitFor(pattern: RegExp, timeoutMs: number): Promise<RegExpExecArray> {
    return new Promise((resolve, reject) => {
      const waiter: Waiter = {
        pattern,
        resolve,
        reject,
        timer: this.clock.setTimeout(() => {
          this.waiters.delete(waiter);
          reject(new NoAnswerError(`no answer matching ${pattern} within ${timeoutMs} ms`));
        }, timeoutMs),
      };
      this.waiters.add(waiter);
      this.check();
    });
  }

  /** Forgets what was received so far (before a fresh question). */
  discardInput(): void {
    this.buffer = '';
  }

  /** Rejects every pending wait: the port closed. */
  close(reason: Error): void {
    for (const waiter of this.waiters) {
      this.clock.clearTimeout(waiter.timer);
      waiter.reject(reason);
    }
    this.waiters.clear();
  }

  private onData(data: Buffer): void {
    this.everReceived += data.length;
    this.buffer = (this.buffer + data.toString('latin1')).slice(-MAX_BUFFER);
    this.check();
  }

  private check(): void {
    for (const waiter of this.waiters) {
      const match = waiter.pattern.exec(this.buffer);
      if (!match) continue;
      this.buffer = this.buffer.slice(match.index + match[0].length);
      this.waiters.delete(waiter);
      this.clock.clearTimeout(waiter.timer);
      waiter.resolve(match);
    }
  }
}
