/**
 * The JavaScript world a virtual Espruino runs code in: a Node `vm` context holding the
 * Espruino globals the flasher and firmware use (`print`, `echo`, `reset`, `save`, `load`,
 * `E`, `process.env`, `process.memory`, `require('Storage')`, timers, `atob`/`btoa`), with the
 * built-ins the real interpreter lacks removed so that code relying on them fails here too.
 *
 * A `vm` context is not a security boundary; this runs our own firmware in tests and
 * simulations, never untrusted code.
 */

import { createHash } from 'node:crypto';
import vm from 'node:vm';
import { crc32 } from 'node:zlib';
import type { Clock, TimerId } from '../../../lib/clock.js';
import type { VirtualStorage } from './storage.js';

/** What the sandbox asks of the board around it. */
export interface SandboxHost {
  storage: VirtualStorage;
  clock: Clock;
  env: Readonly<Record<string, string | number>>;
  /** Total variables of the board (espruino.md, boards table). */
  variables: number;
  /** Writes text to the console (the serial port). */
  write(text: string): void;
  setEcho(on: boolean): void;
  reset(eraseStorage: boolean): void;
  save(): void;
  load(): void;
  reboot(): void;
}

/** Removed from the context: missing on Espruino 2v29 (espruino.md); and Espruino's `global`. */
const REMOVE_MISSING_BUILTINS = `
  globalThis.global = globalThis;
  delete globalThis.Map; delete globalThis.Set; delete globalThis.WeakMap;
  delete globalThis.WeakSet; delete globalThis.Symbol; delete globalThis.Proxy;
  delete globalThis.Reflect; delete globalThis.BigInt;
  delete Array.from; delete Number.isInteger; delete String.raw;
  delete Promise.race; delete Promise.allSettled; delete Promise.any;
  delete Promise.prototype.finally;
`;

/** Espruino's own spelling of an uncaught error, e.g. `Uncaught ReferenceError: "x" is not defined`. */
export function formatUncaught(error: unknown): string {
  // Errors thrown inside the vm context come from its own realm: no instanceof.
  if (typeof error !== 'object' || error === null || !('message' in error)) {
    return `Uncaught ${String(error)}`;
  }
  const name = String((error as Error).name ?? 'Error');
  let message = String((error as Error).message);
  const undefinedName = /^(\S+) is not defined$/.exec(message);
  if (undefinedName) message = `"${undefinedName[1]}" is not defined`;
  const notFunction = /^\S*?\.?(\w+) is not a function$/.exec(message);
  if (notFunction) return `Uncaught Error: Function "${notFunction[1]}" not found!`;
  return `Uncaught ${name}: ${message}`;
}

/** Variables a value takes on Espruino, roughly: one per value, strings in 12-byte blocks. */
export function sizeInVariables(value: unknown, seen = new Set<unknown>()): number {
  if (value === null || value === undefined) return 1;
  if (typeof value === 'string') return 1 + Math.ceil(value.length / 12);
  if (typeof value === 'function') return 1 + Math.ceil(value.toString().length / 12);
  if (typeof value !== 'object') return 1;
  if (seen.has(value)) return 0;
  seen.add(value);
  let total = 1;
  for (const [key, item] of Object.entries(value)) {
    total += 1 + Math.ceil(key.length / 12) + sizeInVariables(item, seen);
  }
  return total;
}

export class Sandbox {
  private readonly context: vm.Context;
  private readonly timers = new Map<number, TimerId>();
  private nextTimer = 1;
  /** Source run since the last reset: what `save()` stores. */
  readonly ran: string[] = [];

  constructor(private readonly host: SandboxHost) {
    this.context = vm.createContext(this.globals());
    vm.runInContext(REMOVE_MISSING_BUILTINS, this.context);
  }

  /** Runs one piece of code; throws what it throws. */
  run(code: string, filename = 'REPL'): unknown {
    const result = vm.runInContext(code, this.context, { filename });
    this.ran.push(code);
    return result;
  }

  /** Stops every timer: the end of this RAM state. */
  dispose(): void {
    for (const id of this.timers.values()) this.host.clock.clearTimeout(id);
    this.timers.clear();
  }

  get timerCount(): number {
    return this.timers.size;
  }

  private guarded(fn: unknown, args: unknown[]): () => void {
    return () => {
      try {
        if (typeof fn === 'function') fn(...args);
        else vm.runInContext(String(fn), this.context);
      } catch (error) {
        this.host.write(`${formatUncaught(error)}\r\n`);
      }
    };
  }

  private globals(): Record<string, unknown> {
    const host = this.host;
    const print = (...args: unknown[]) => host.write(`${args.map(String).join(' ')}\r\n`);
    const storage = host.storage;
    const storageModule = {
      read: (name: string) => storage.read(name),
      readJSON: (name: string) => storage.readJSON(name),
      write: (name: string, data: unknown, offset?: number, size?: number) =>
        storage.write(name, data, offset, size),
      writeJSON: (name: string, value: unknown) => storage.writeJSON(name, value),
      erase: (name: string) => storage.erase(name),
      eraseAll: () => storage.eraseAll(),
      list: () => storage.list(),
      getFree: () => storage.getFree(),
    };
    const digest = (algorithm: string) => (data: unknown) => {
      const bytes = createHash(algorithm)
        .update(Buffer.from(String(data), 'latin1'))
        .digest();
      return new Uint8Array(bytes).buffer;
    };
    const cryptoModule = { SHA1: digest('sha1'), SHA256: digest('sha256') };
    const memory = () => {
      const usage = Math.min(
        host.variables,
        this.ran.reduce((n, c) => n + Math.ceil(c.length / 12), 0),
      );
      return { free: host.variables - usage, usage, total: host.variables, history: 0 };
    };
    const addTimer = (fn: unknown, ms: unknown, args: unknown[], repeat: boolean): number => {
      const id = this.nextTimer++;
      const delay = Math.max(0, Number(ms) || 0);
      const run = this.guarded(fn, args);
      const timer = repeat
        ? host.clock.setInterval(run, delay)
        : host.clock.setTimeout(() => {
            this.timers.delete(id);
            run();
          }, delay);
      this.timers.set(id, timer);
      return id;
    };
    const clearTimer = (id: unknown) => {
      const timer = this.timers.get(Number(id));
      if (timer !== undefined) host.clock.clearTimeout(timer);
      this.timers.delete(Number(id));
    };
    return {
      print,
      console: { log: print, warn: print, error: print, info: print },
      echo: (on: unknown) => host.setEcho(Boolean(on)),
      reset: (eraseStorage?: unknown) => host.reset(eraseStorage === true),
      save: () => host.save(),
      load: () => host.load(),
      getTime: () => host.clock.now() / 1000,
      atob: (data: string) => Buffer.from(String(data), 'base64').toString('latin1'),
      btoa: (data: string) => Buffer.from(String(data), 'latin1').toString('base64'),
      setTimeout: (fn: unknown, ms: unknown, ...args: unknown[]) => addTimer(fn, ms, args, false),
      setInterval: (fn: unknown, ms: unknown, ...args: unknown[]) => addTimer(fn, ms, args, true),
      clearTimeout: clearTimer,
      clearInterval: clearTimer,
      require: (name: string) => {
        if (name === 'Storage') return storageModule;
        // Espruino's crypto module (Pico, WiFi, ESP32): digests of binary strings.
        if (name === 'crypto') return cryptoModule;
        throw new Error(`Module ${name} not found`);
      },
      process: { env: { ...host.env }, version: host.env.VERSION, memory },
      E: {
        getSizeOf: (value: unknown) => sizeInVariables(value),
        CRC32: (data: unknown) =>
          crc32(Buffer.from(typeof data === 'string' ? data : String(data), 'latin1')),
        reboot: () => host.reboot(),
      },
    };
  }
}
