/**
 * A virtual Espruino board, seen from its serial port: bytes in, bytes out. Transports (the
 * serialport mock binding, a pseudo-terminal) attach to it; nothing above the port knows it is
 * not a Pico.
 *
 * Faults a test can configure: stop answering after N received bytes (a board that dies or is
 * unplugged mid-upload: flash keeps whatever was written so far), and reset on port open (as
 * boards behind some USB-serial chips do when DTR toggles), during which input is dropped.
 */
import { type Clock, systemClock } from '../../../lib/clock.js';
import { EspruinoRepl } from './repl.js';
import { Sandbox } from './sandbox.js';
import { VirtualStorage } from './storage.js';

export interface VirtualEspruinoOptions {
  /** `process.env.BOARD`; default `PICO_R1_3` (an Espruino Pico). */
  board?: string;
  /** `process.env.VERSION`; default `2v29`. */
  version?: string;
  /** Room for saved code; default 48 KB (the Pico, espruino.md). */
  storageBytes?: number;
  /** Variables of RAM; default 5,100 (the Pico). */
  variables?: number;
  /** After this many received bytes the board goes silent for good. */
  stopAnsweringAfterBytes?: number;
  /** Reboot when a port is opened, like boards behind some USB-serial chips. */
  resetOnOpen?: boolean;
  /** How long a reboot takes; input arriving meanwhile is lost. Default 100 ms. */
  bootMs?: number;
  clock?: Clock;
}

/** Closed set: a board that answers, one rebooting (deaf), one that stopped for good. */
export type BoardState = 'running' | 'booting' | 'unresponsive';

const BANNER = (version: string) =>
  ' ____                 _\r\n' +
  '|  __|___ ___ ___ _ _|_|___ ___\r\n' +
  '|  __|_ -| . |  _| | | |   | . |\r\n' +
  '|____|___|  _|_| |___|_|_|_|___|\r\n' +
  '         |_| espruino.com\r\n' +
  ` ${version} (c) 2025 G.Williams\r\n\r\n`;

/** Where `save()` keeps the RAM snapshot (as Espruino 2v29 does) and the boot code. */
export const SAVED_STATE_FILE = '.varimg';
export const BOOT_CODE_FILE = '.bootcde';

export class VirtualEspruino {
  readonly storage: VirtualStorage;
  readonly version: string;
  readonly boardName: string;
  state: BoardState = 'running';
  bytesReceived = 0;
  /** Every byte the board sent, for test diagnostics. */
  transcript = '';
  private readonly clock: Clock;
  private readonly listeners = new Set<(data: Buffer) => void>();
  private sandbox: Sandbox;
  private readonly repl: EspruinoRepl;
  private limit: number | undefined;

  constructor(private readonly options: VirtualEspruinoOptions = {}) {
    this.clock = options.clock ?? systemClock;
    this.version = options.version ?? '2v29';
    this.boardName = options.board ?? 'PICO_R1_3';
    this.storage = new VirtualStorage(options.storageBytes ?? 48 * 1024);
    this.repl = new EspruinoRepl({
      write: (text) => this.write(text),
      run: (code) => this.sandbox.run(code),
    });
    this.sandbox = this.newSandbox();
    this.limit = options.stopAnsweringAfterBytes;
  }

  get echo(): boolean {
    return this.repl.echo;
  }

  /** Timers the running code holds (a firmware's intervals). */
  get timerCount(): number {
    return this.sandbox.timerCount;
  }

  /** Subscribes to what the board sends; returns the unsubscribe function. */
  onOutput(listener: (data: Buffer) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Bytes from the host arrive here. */
  receive(data: Buffer): void {
    if (this.state !== 'running') return;
    const limit = this.limit;
    const dies = limit !== undefined && this.bytesReceived + data.length >= limit;
    const accepted = dies ? data.subarray(0, Math.max(0, limit - this.bytesReceived)) : data;
    this.bytesReceived += accepted.length;
    this.repl.receive(accepted.toString('latin1'));
    if (dies) this.state = 'unresponsive';
  }

  /** From now, answer `bytes` more received bytes, then go silent (a board dying mid-upload). */
  stopAnsweringAfter(bytes: number): void {
    this.limit = this.bytesReceived + bytes;
  }

  /** Unplug and replug: a silent board comes back, rebooting. */
  replug(): void {
    this.limit = undefined;
    this.state = 'running';
    this.powerCycle();
  }

  /** A transport opened the port. */
  portOpened(): void {
    if (this.options.resetOnOpen && this.state !== 'unresponsive') this.powerCycle();
  }

  /** Power off and on: RAM is lost, the saved state and boot code run again. */
  powerCycle(): void {
    this.state = 'booting';
    this.resetRam();
    this.clock.setTimeout(() => {
      if (this.state !== 'booting') return;
      this.state = 'running';
      this.write(BANNER(this.version));
      this.runBootCode();
      this.write('>');
    }, this.options.bootMs ?? 100);
  }

  /** Stops the code running on the board (its timers): call when a test is done. */
  close(): void {
    this.sandbox.dispose();
    this.listeners.clear();
  }

  private write(text: string): void {
    if (this.state === 'unresponsive') return;
    this.transcript += text;
    const data = Buffer.from(text, 'latin1');
    for (const listener of this.listeners) listener(data);
  }

  private resetRam(): void {
    this.sandbox.dispose();
    this.sandbox = this.newSandbox();
    this.repl.clear();
    this.repl.echo = true;
  }

  private runBootCode(): void {
    for (const file of [SAVED_STATE_FILE, BOOT_CODE_FILE]) {
      const code = this.storage.readBytes(file);
      if (code) this.repl.runProgram(code.toString('utf8'));
    }
  }

  private newSandbox(): Sandbox {
    return new Sandbox({
      storage: this.storage,
      clock: this.clock,
      env: { VERSION: this.version, BOARD: this.boardName, CONSOLE: 'USB' },
      variables: this.options.variables ?? 5100,
      write: (text) => this.write(text),
      setEcho: (on) => {
        this.repl.echo = on;
      },
      reset: (eraseStorage) => {
        if (eraseStorage) this.storage.eraseAll();
        // The REPL is inside the call that asked for the reset: swap RAM after it returns.
        queueMicrotask(() => {
          this.resetRam();
          this.write(BANNER(this.version));
        });
      },
      save: () => {
        this.storage.write(
          SAVED_STATE_FILE,
          Buffer.from(this.sandbox.ran.join('\n'), 'utf8').toString('latin1'),
        );
        this.write(
          'Compacting Flash...\r\nCalculating Size...\r\nWriting...\r\nChecking...\r\nDone!\r\n',
        );
      },
      load: () => queueMicrotask(() => this.loadBootCode()),
      reboot: () => queueMicrotask(() => this.powerCycle()),
    });
  }

  private loadBootCode(): void {
    this.resetRam();
    this.write(BANNER(this.version));
    this.runBootCode();
    this.write('>');
  }
}
