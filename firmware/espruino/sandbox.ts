/**
 * Runs a firmware bundle in a node:vm context that provides the Espruino globals it uses:
 * pins (analogRead, digitalRead, digitalWrite, analogWrite, pinMode), I2C1 with a simulated
 * BME280, OneWire with a simulated DS18B20, require('net') over a real TCP socket,
 * require('Wifi' | 'EspruinoWiFi'), require('Storage'), process.memory() and E. The built-ins
 * the interpreter lacks are removed, so code that relies on them fails here too. Used by the
 * tests (publishing to a real broker), the budget benchmark and the build's report.
 *
 * A vm context is not a security boundary: this runs our own bundles only.
 */
import { type Socket, connect as tcpConnect } from 'node:net';
import vm from 'node:vm';
import { findPin } from '../../hardware/boards/index.js';
import type { BoardProfile, DeviceConfig } from '../../hardware/config/types.js';
import { Bme280Chip } from '../../hardware/virtual/bme280-chip.js';
import { Ds18b20Chip } from '../../hardware/virtual/ds18b20-chip.js';
import { normalizePinKey, type World } from '../../hardware/virtual/world.js';
import { worldInputs } from '../node/world-inputs.js';
import { codeVars } from './budget.js';

const REMOVE_MISSING_BUILTINS = `
  delete globalThis.Map; delete globalThis.Set; delete globalThis.WeakMap; delete globalThis.WeakSet;
  delete globalThis.Symbol; delete globalThis.Proxy; delete globalThis.Reflect; delete globalThis.BigInt;
  delete Array.from; delete Number.isInteger; delete String.raw; delete Object.hasOwn;
  delete Promise.race; delete Promise.allSettled; delete Promise.any; delete Promise.prototype.finally;
`;

export interface SandboxOptions {
  board: BoardProfile;
  world: World;
  /** The device's sensors are wired to the world: analog pins read the catalog's inverse
   *  conversion (rawFor) of the world's temperature and light, digital pins its buttons and
   *  motion. Pins not wired read `analog` and `levels`. */
  device?: DeviceConfig;
  /** Total variables of the board, for process.memory(). */
  variables?: number;
  /** Variables in use, for process.memory(): the build's estimate (EspruinoBundle.vars);
   *  absent, the functions and scopes of the code run (firmware/espruino/budget.ts). */
  usedVars?: number;
}

export interface PinWrite {
  pin: string;
  value: number | boolean;
  kind: 'digital' | 'analog';
}

export class EspruinoSandbox {
  readonly console: string[] = [];
  readonly writes: PinWrite[] = [];
  readonly modes: Record<string, string> = {};
  /** Pins the bundle called setWatch on. */
  readonly watched: string[] = [];
  readonly storage: Record<string, string> = {};
  /** Digital input levels by pin id; unset pins read low. */
  readonly levels: Record<string, boolean> = {};
  /** Analog inputs by pin id, as a fraction; unset pins read 0. */
  readonly analog: Record<string, number> = {};
  private readonly context: vm.Context;
  private readonly timers = new Set<NodeJS.Timeout>();
  private readonly sockets = new Set<Socket>();
  /** After dispose the board is "off": a reconnect the bundle schedules on the socket's close
   *  must not start a new timer or socket, or the test process never exits. */
  private disposed = false;
  private readonly bme280: Bme280Chip[] = [];
  private codeVars = 0;

  constructor(private readonly options: SandboxOptions) {
    const world = options.world;
    for (const address of [0x76, 0x77]) {
      this.bme280.push(
        new Bme280Chip(
          {
            readTemperature: () => world.readTemperature(),
            readPressure: () => world.readPressure(),
            readHumidity: () => world.readHumidity(),
          },
          address,
        ),
      );
    }
    this.context = vm.createContext(this.globals());
    vm.runInContext(REMOVE_MISSING_BUILTINS, this.context);
  }

  run(code: string, filename = 'bundle.js'): void {
    this.codeVars += codeVars(code).vars;
    vm.runInContext(code, this.context, { filename });
  }

  /** Variables in use, as process.memory() reports them (see SandboxOptions.usedVars). */
  usedVars(): number {
    return this.options.usedVars ?? this.codeVars;
  }

  dispose(): void {
    this.disposed = true;
    for (const timer of this.timers) clearTimeout(timer);
    this.timers.clear();
    for (const socket of this.sockets) socket.destroy();
    this.sockets.clear();
  }

  private pinId(pin: unknown): string {
    return String((pin as { name?: string }).name ?? pin);
  }

  private globals(): Record<string, unknown> {
    const world = this.options.world;
    const noDevice = { id: 'none', board: this.options.board.id, sensors: [], actuators: [] };
    const wires = worldInputs(this.options.device ?? noDevice, this.options.board, world);
    const g: Record<string, unknown> = {};
    for (const pin of this.options.board.pins) {
      const id = String(pin.id);
      g[id] = { name: id, toString: () => id };
    }
    const print = (...args: unknown[]) => this.console.push(args.map(String).join(' '));
    const addTimer = (fn: () => void, ms: number, repeat: boolean) => {
      if (this.disposed) return setTimeout(() => {}, 0).unref();
      const run = () => {
        if (!repeat) this.timers.delete(timer);
        if (this.disposed) return;
        try {
          fn();
        } catch (error) {
          this.console.push(`Uncaught ${String(error)}`);
        }
      };
      const timer = repeat ? setInterval(run, ms) : setTimeout(run, ms);
      this.timers.add(timer);
      return timer;
    };
    const clearTimer = (timer: NodeJS.Timeout) => {
      clearTimeout(timer);
      this.timers.delete(timer);
    };
    const storage = this.storage;
    const modules: Record<string, unknown> = {
      Storage: {
        read: (name: string) => storage[name],
        readJSON: (name: string) =>
          name in storage ? JSON.parse(storage[name] as string) : undefined,
        // As Espruino's: a file is created at its full size (padded with 0xFF) by a first
        // write with a size, and later writes go at an offset inside it.
        write: (name: string, data: string, offset = 0, size?: number) => {
          if (size !== undefined) storage[name] = '\xff'.repeat(size);
          const file = storage[name] ?? '';
          if (offset + data.length > Math.max(file.length, data.length)) return false;
          storage[name] = file.slice(0, offset) + data + file.slice(offset + data.length);
          return true;
        },
        writeJSON: (name: string, value: unknown) => {
          storage[name] = JSON.stringify(value);
          return true;
        },
        erase: (name: string) => {
          delete storage[name];
        },
      },
      net: {
        connect: (options: { host: string; port: number }, connected: () => void) =>
          this.netConnect(options, connected),
      },
      Wifi: {
        connect: (_ssid: string, _options: unknown, done: (e: unknown) => void) =>
          addTimer(() => done(null), 1, false),
        setSNTP() {},
      },
      EspruinoWiFi: {
        connect: (_ssid: string, _options: unknown, done: (e: unknown) => void) =>
          addTimer(() => done(null), 1, false),
      },
    };
    const chip = (address: number) => {
      const found = this.bme280.find((c) => c.address === address);
      if (!found) throw new Error(`I2C: no device at 0x${address.toString(16)}`);
      return found;
    };
    const sandbox = this;
    class OneWire {
      private readonly chip: Ds18b20Chip;
      constructor(pin: unknown) {
        this.chip = new Ds18b20Chip(() => world.readTemperature());
        sandbox.modes[sandbox.pinId(pin)] = 'onewire';
      }
      search() {
        return [this.chip.rom.map((b) => b.toString(16).padStart(2, '0')).join(' ')];
      }
      reset() {
        this.chip.reset();
        return true;
      }
      select(rom: string) {
        // MATCH ROM is the bus's business; the chip model answers function commands only.
        if (rom !== this.search()[0]) throw new Error(`OneWire: no device ${rom}`);
      }
      write(byte: number) {
        this.chip.writeByte(byte);
      }
      read(count: number) {
        const out: number[] = [];
        for (let i = 0; i < count; i++) out.push(this.chip.readByte());
        return new Uint8Array(out);
      }
    }
    Object.assign(g, {
      console: { log: print },
      print,
      setTimeout: (fn: () => void, ms: number) => addTimer(fn, ms, false),
      setInterval: (fn: () => void, ms: number) => addTimer(fn, ms, true),
      clearTimeout: clearTimer,
      clearInterval: clearTimer,
      require: (name: string) => {
        if (!(name in modules)) throw new Error(`Module ${name} not found`);
        return modules[name];
      },
      setWatch: (fn: () => void, pin: unknown) => {
        const id = this.pinId(pin);
        this.watched.push(id);
        const configName = this.options.device?.sensors.find(
          (s) => s.pin && String(findPin(this.options.board, s.pin)?.id) === id,
        )?.pin;
        world.on('change', (change) => {
          if (
            'pin' in change &&
            configName !== undefined &&
            normalizePinKey(change.pin) === normalizePinKey(configName)
          ) {
            addTimer(fn, 0, false);
          }
        });
        return 1;
      },
      pinMode: (pin: unknown, mode: string) => {
        this.modes[this.pinId(pin)] = mode;
      },
      analogRead: (pin: unknown) => {
        const wire = wires.analog[this.pinId(pin)];
        return wire ? wire() : (this.analog[this.pinId(pin)] ?? 0);
      },
      digitalRead: (pin: unknown) => {
        const wire = wires.digital[this.pinId(pin)];
        return (wire ? wire() : this.levels[this.pinId(pin)]) ? 1 : 0;
      },
      digitalWrite: (pin: unknown, value: boolean | number) => {
        this.writes.push({ pin: this.pinId(pin), value: Boolean(value), kind: 'digital' });
      },
      analogWrite: (pin: unknown, value: number) => {
        this.writes.push({ pin: this.pinId(pin), value, kind: 'analog' });
      },
      I2C1: {
        setup: () => {},
        writeTo: (address: number, data: number | number[]) =>
          chip(address).write(typeof data === 'number' ? [data] : [...data]),
        readFrom: (address: number, length: number) => new Uint8Array(chip(address).read(length)),
      },
      OneWire,
      process: {
        memory: () => {
          const total = this.options.variables ?? 1700;
          const usage = Math.min(total, this.usedVars());
          return { free: total - usage, usage, total };
        },
      },
      E: { reboot: () => this.console.push('reboot requested') },
    });
    g.global = g;
    return g;
  }

  private netConnect(options: { host: string; port: number }, connected: () => void) {
    // What Espruino throws for a refused connection (shared/espruino.md): the board is off.
    if (this.disposed) throw new Error('InternalError: Unable to create socket');
    const socket = tcpConnect({ host: options.host, port: options.port });
    this.sockets.add(socket);
    const handlers: Record<string, ((data: string) => void)[]> = {};
    const emit = (event: string, data: string) => {
      for (const fn of handlers[event] ?? []) fn(data);
    };
    socket.on('connect', () => connected());
    socket.on('data', (data) => emit('data', data.toString('latin1')));
    socket.on('error', (error) => emit('error', error.message));
    socket.on('close', () => {
      this.sockets.delete(socket);
      emit('close', '');
    });
    return {
      write: (data: string) => socket.write(Buffer.from(data, 'latin1')),
      end: () => socket.end(),
      on: (event: string, fn: (data: string) => void) => {
        handlers[event] ??= [];
        handlers[event].push(fn);
      },
    };
  }
}
