/**
 * The core's PinIO on Espruino: analogRead/digitalWrite/analogWrite on pin objects, I2C1 and
 * OneWire. Pins are looked up by name in a table the build generates from the board profile
 * (`{ D4: D4, A0: A0 }`), since the interpreter offers no lookup of pins by string.
 */
import type { PinIO } from '../core/types.js';
import type { EspruinoGlobals, EspruinoOneWire } from './espruino-globals.js';

/**
 * What the config uses, fixed by the build (esbuild `define`, see ESPRUINO_FEATURES in
 * build.ts) so the minifier drops the code of IO the device never calls: a porch sensor with
 * no 1-Wire bus carries no 1-Wire protocol. The core only calls what its plan names.
 */
declare const FS_I2C: boolean;
declare const FS_ONEWIRE: boolean;
declare const FS_PWM: boolean;
declare const FS_SERVO: boolean;
declare const FS_WATCH: boolean;

function notBuilt(): never {
  throw new Error('not in this build');
}

/** Servo pulses: 1 ms (0°) to 2 ms (180°) every 20 ms (50 Hz), as analogWrite duty cycles. */
const SERVO_HZ = 50;
const PWM_HZ = 1000;

export interface EspruinoIOContext {
  g: EspruinoGlobals;
  pins: Record<string, unknown>;
  /** I2C1 pins, from the board profile; null when the board has no I2C. */
  i2c: { sda: string; scl: string } | null;
  setTimeout(fn: () => void, ms: number): unknown;
}

export function createEspruinoIO(context: EspruinoIOContext): PinIO {
  const g = context.g;
  const wires: Record<string, { bus: EspruinoOneWire; device: string }> = {};
  let i2cReady = false;

  function pin(name: string): unknown {
    const p = context.pins[name];
    if (p === undefined) throw new Error(`no pin ${name}`);
    return p;
  }
  function i2c(): void {
    if (i2cReady || context.i2c === null) return;
    g.I2C1.setup({ sda: pin(context.i2c.sda), scl: pin(context.i2c.scl) });
    i2cReady = true;
  }

  return {
    setup(name, mode) {
      g.pinMode(
        pin(name),
        mode === 'analog-in' ? 'analog' : mode === 'digital-in' ? 'input' : 'output',
      );
    },
    analogRead(name, done) {
      done(null, g.analogRead(pin(name)));
    },
    digitalRead(name, done) {
      done(null, g.digitalRead(pin(name)) === 1);
    },
    watch: FS_WATCH
      ? (name, changed) => {
          // Both edges, 20 ms debounce (contacts bounce for a few ms).
          g.setWatch(changed, pin(name), { repeat: true, edge: 'both', debounce: 20 });
        }
      : notBuilt,
    digitalWrite(name, high) {
      g.digitalWrite(pin(name), high);
    },
    pwmWrite: FS_PWM ? (name, duty) => g.analogWrite(pin(name), duty, { freq: PWM_HZ }) : notBuilt,
    servoWrite: FS_SERVO
      ? (name, degrees) => g.analogWrite(pin(name), (1 + degrees / 180) / 20, { freq: SERVO_HZ })
      : notBuilt,
    i2cWrite: FS_I2C
      ? (address, bytes) => {
          i2c();
          g.I2C1.writeTo(address, bytes);
        }
      : notBuilt,
    i2cRead: FS_I2C ? i2cRead : notBuilt,
    oneWireTemperature: FS_ONEWIRE ? oneWireTemperature : notBuilt,
    memory() {
      const m = g.process.memory();
      return { free: m.free, total: m.total, unit: 'vars' };
    },
  };

  function i2cRead(
    address: number,
    register: number,
    length: number,
    done: (error: string | null, bytes: number[] | null) => void,
  ): void {
    try {
      i2c();
      g.I2C1.writeTo(address, register);
      const data = g.I2C1.readFrom(address, length);
      const bytes: number[] = [];
      for (let i = 0; i < data.length; i++) bytes.push(data[i] as number);
      done(null, bytes);
    } catch (error) {
      done(`I2C 0x${address.toString(16)}: ${error}`, null);
    }
  }

  function oneWireTemperature(name: string, done: (error: string | null, celsius: number) => void) {
    let wire = wires[name];
    if (wire === undefined) {
      const bus = new g.OneWire(pin(name));
      const found = bus.search();
      if (found.length === 0) return done(`no 1-Wire device on ${name}`, 0);
      wire = { bus, device: found[0] as string };
      wires[name] = wire;
    }
    const w = wire;
    // DS18B20: Convert T (0x44), wait 750 ms, Read Scratchpad (0xBE); datasheet table 1.
    w.bus.reset();
    w.bus.select(w.device);
    w.bus.write(0x44, true);
    context.setTimeout(() => {
      w.bus.reset();
      w.bus.select(w.device);
      w.bus.write(0xbe);
      const b = w.bus.read(9);
      let raw = (b[0] as number) | ((b[1] as number) << 8);
      if (raw > 32767) raw -= 65536;
      done(null, raw / 16);
    }, 750);
  }
}
