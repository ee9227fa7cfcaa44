/** Keeps the last N lines of a child's output, so a failure can say what the child said. */
import type { Readable } from 'node:stream';

export class LineTail {
  private readonly buffer: string[] = [];

  constructor(private readonly max: number) {}

  push(line: string): void {
    this.buffer.push(line);
    if (this.buffer.length > this.max) this.buffer.shift();
  }

  lines(): readonly string[] {
    return this.buffer;
  }

  /** Splits a stream into lines, calling `onLine` for each (a partial last line waits). */
  attach(stream: Readable | null, onLine: (line: string) => void): void {
    if (!stream) return;
    let pending = '';
    stream.setEncoding('utf8');
    stream.on('data', (chunk: string) => {
      pending += chunk;
      const parts = pending.split('\n');
      pending = parts.pop() ?? '';
      for (const part of parts) if (part.trim()) onLine(part.trimEnd());
    });
    stream.on('end', () => {
      if (pending.trim()) onLine(pending.trimEnd());
    });
  }
}
