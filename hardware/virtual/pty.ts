/**
 * A real pseudo-terminal whose slave path (/dev/pts/N) serialport can open like a USB serial
 * device. Node has no openpty(), so a small Python helper (pty_relay.py, standard library only)
 * holds the master and relays it over its stdin/stdout; its stderr carries control lines
 * ("path …", "open", "hangup"). Closing the pty closes the master, so the program on the slave
 * side sees its port fail: that is unplugging.
 */
import { type ChildProcessByStdio, spawn } from 'node:child_process';
import { EventEmitter } from 'node:events';
import { Duplex, type Readable, type Writable } from 'node:stream';
import { fileURLToPath } from 'node:url';

/** Silence before closing the master, so the slave's reader is waiting in poll(); see close(). */
const QUIET_BEFORE_CLOSE_MS = 250;

export const PTY_RELAY_SCRIPT = fileURLToPath(new URL('./pty_relay.py', import.meta.url));

export interface Pty {
  /** The slave device path, e.g. /dev/pts/7. */
  path: string;
  /** Bytes the slave's program wrote come out; bytes written go to it. */
  stream: Duplex;
  /** 'open': a program opened the slave; 'hangup': the last one closed it. */
  events: EventEmitter<{ open: []; hangup: []; exit: [number | null] }>;
  /** Stops writing, waits 250 ms of silence, then closes the master (the slave's program sees a
   *  disconnect) and ends the helper. Write nothing after calling it. */
  close(): Promise<void>;
}

export interface OpenPtyOptions {
  /** The Python interpreter (default python3). */
  python?: string;
  /** How long to wait for the helper to report its path, ms (default 5000). */
  startTimeoutMs?: number;
}

export function openPty(options: OpenPtyOptions = {}): Promise<Pty> {
  const python = options.python ?? 'python3';
  const child: ChildProcessByStdio<Writable, Readable, Readable> = spawn(
    python,
    ['-u', PTY_RELAY_SCRIPT],
    { stdio: ['pipe', 'pipe', 'pipe'] },
  );
  const events = new EventEmitter<{ open: []; hangup: []; exit: [number | null] }>();
  const exited = new Promise<void>((resolve) =>
    child.once('exit', (code) => {
      events.emit('exit', code);
      resolve();
    }),
  );
  const stream = Duplex.from({ readable: child.stdout, writable: child.stdin });
  // A write after the helper exited fails with EPIPE; the link is gone, which 'exit' reports.
  stream.on('error', () => undefined);
  child.stdin.on('error', () => undefined);

  const close = async () => {
    if (child.exitCode === null && child.signalCode === null) {
      // Let the slave's reader drain and block in poll() before the master closes: a poll()
      // that sees the hangup reports POLLERR, which serialport turns into a disconnect; a read()
      // started after the hangup returns 0 bytes, which serialport 13 retries forever.
      await new Promise((resolve) => setTimeout(resolve, QUIET_BEFORE_CLOSE_MS));
      child.stdin.end();
      const timer = setTimeout(() => child.kill('SIGKILL'), 2000);
      await exited;
      clearTimeout(timer);
    }
  };

  return new Promise<Pty>((resolve, reject) => {
    let buffered = '';
    let path: string | undefined;
    const timer = setTimeout(() => {
      void close();
      reject(new Error(`pty: ${python} ${PTY_RELAY_SCRIPT} did not report a path in time`));
    }, options.startTimeoutMs ?? 5000);
    child.once('error', (err) => {
      clearTimeout(timer);
      reject(new Error(`pty: cannot start ${python} (${err.message}); python3 is required`));
    });
    child.stderr.setEncoding('utf8');
    child.stderr.on('data', (chunk: string) => {
      buffered += chunk;
      for (let nl = buffered.indexOf('\n'); nl >= 0; nl = buffered.indexOf('\n')) {
        const line = buffered.slice(0, nl).trim();
        buffered = buffered.slice(nl + 1);
        if (line.startsWith('path ') && path === undefined) {
          path = line.slice(5);
          clearTimeout(timer);
          resolve({ path, stream, events, close });
        } else if (line === 'open' || line === 'hangup') {
          events.emit(line);
        } else if (line) {
          process.emitWarning(`pty relay: ${line}`);
        }
      }
    });
    child.once('exit', (code) => {
      if (path === undefined) {
        clearTimeout(timer);
        reject(new Error(`pty: the relay exited (code ${code}) before reporting a path`));
      }
    });
  });
}
