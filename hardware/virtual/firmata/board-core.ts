/**
 * The firmware of the virtual Arduino: StandardFirmata 2.5's behaviour, from the board's side.
 * It owns the pin table's state (mode, value, reporting), answers queries, runs the sampling loop
 * (analog reports and continuous I2C reads every sampling interval) and reports digital inputs
 * when they change. It knows nothing of serial ports: `start(send)` is the board powering up
 * (as an Arduino resets when its port opens) and `receive(bytes)` is what the host wrote.
 * Behaviour follows StandardFirmata.ino's callbacks; each handler names the one it mirrors.
 */
import type { Clock, TimerId } from '../../../lib/clock.js';
import type { World, WorldChange } from '../world.js';
import * as F from './constants.js';
import { PIN_MODE_NAMES, PinMode } from './constants.js';
import { bytesAsPairs, sysex } from './encode.js';
import { I2cHost } from './i2c-host.js';
import { OneWireHost } from './onewire-host.js';
import { type FirmataMessage, FirmataParser } from './parser.js';
import { findPin, type VirtualBoardProfile } from './pins.js';
import type { Wiring } from './wiring.js';

export interface FirmwareIdentity {
  /** REPORT_FIRMWARE name (StandardFirmata sends its sketch file name). */
  name: string;
  major: number;
  minor: number;
}

export const STANDARD_FIRMATA: FirmwareIdentity = {
  name: 'StandardFirmata.ino',
  major: 2,
  minor: 5,
};
/** REPORT_VERSION: the Firmata protocol version StandardFirmata 2.5 implements. */
export const PROTOCOL_VERSION = { major: 2, minor: 5 };

export interface BoardCoreContext {
  profile: VirtualBoardProfile;
  wiring: Wiring;
  world: World;
  clock: Clock;
  firmware: FirmwareIdentity;
}

interface PinRuntime {
  mode: number;
  /** Firmata's "pin state": output level, PWM duty, servo position, or the pull-up flag. */
  state: number;
  servo?: { minPulse: number; maxPulse: number };
}

export interface PinStateView {
  number: number;
  mode: string;
  /** Output level or written value for outputs; the level the pin reads for inputs. */
  value: number;
  /** Analog pins: whether ANALOG reports are on; digital: whether the pin's port reports. */
  reporting: boolean;
}

export class FirmataBoardCore {
  private readonly pins: PinRuntime[];
  private readonly parser = new FirmataParser((m) => this.handle(m));
  private readonly i2c: I2cHost;
  private readonly onewire: OneWireHost;
  private send: ((bytes: number[]) => void) | null = null;
  private samplingMs: number = F.DEFAULT_SAMPLING_INTERVAL_MS;
  private timer: TimerId | undefined;
  private analogReporting = new Set<number>();
  private reportPorts = new Set<number>();
  private lastPortValues = new Map<number, number>();
  private readonly onWorldChange = (change: WorldChange) => {
    if (change.kind === 'button' || change.kind === 'motion') this.checkDigitalInputs(false);
  };

  constructor(private readonly ctx: BoardCoreContext) {
    this.pins = ctx.profile.pins.map(() => ({ mode: PinMode.OUTPUT, state: 0 }));
    const out = (bytes: number[]) => this.emit(bytes);
    this.i2c = new I2cHost({
      devices: ctx.wiring.i2c,
      send: out,
      sendString: (t) => this.sendString(t),
    });
    this.onewire = new OneWireHost({
      devicesOn: (pin) => ctx.wiring.onewire.get(pin) ?? [],
      send: out,
    });
  }

  get running(): boolean {
    return this.send !== null;
  }

  get samplingInterval(): number {
    return this.samplingMs;
  }

  /** Power-up: reset every pin, start the sampling loop, announce version and firmware. */
  start(send: (bytes: number[]) => void): void {
    this.stop();
    this.send = send;
    this.systemReset();
    this.samplingMs = F.DEFAULT_SAMPLING_INTERVAL_MS;
    this.restartTimer();
    this.ctx.world.on('change', this.onWorldChange);
    this.emit([F.REPORT_VERSION, PROTOCOL_VERSION.major, PROTOCOL_VERSION.minor]);
    this.reportFirmware();
  }

  /** Power lost (unplugged): the board stops and every pin falls back to its reset state. */
  powerOff(): void {
    this.stop();
    this.systemReset();
  }

  /** The host went away (closed its port): the board stops sending; pins keep their state. */
  stop(): void {
    this.ctx.clock.clearInterval(this.timer);
    this.timer = undefined;
    this.ctx.world.off('change', this.onWorldChange);
    this.send = null;
  }

  receive(bytes: Uint8Array): void {
    if (this.running) this.parser.push(bytes);
  }

  pinState(name: string | number): PinStateView {
    const pin = findPin(this.ctx.profile, name);
    const runtime = this.pins[pin.number];
    const isInput = runtime.mode === PinMode.INPUT || runtime.mode === PinMode.PULLUP;
    const value = isInput
      ? this.readDigital(pin.number)
      : runtime.mode === PinMode.ANALOG
        ? this.readAnalog(pin.number)
        : runtime.state;
    const reporting =
      runtime.mode === PinMode.ANALOG
        ? this.analogReporting.has(pin.analogChannel ?? -1)
        : this.reportPorts.has(pin.number >> 3);
    return {
      number: pin.number,
      mode: PIN_MODE_NAMES[runtime.mode] ?? 'UNKNOWN',
      value,
      reporting,
    };
  }

  /** The ADC reading of a pin, ADC = Vin · 1024 / Vref (ATmega328P datasheet §24.9). */
  readAnalog(pin: number): number {
    const volts = this.ctx.wiring.analog.get(pin)?.() ?? 0;
    const full = 2 ** this.ctx.profile.adcBits;
    return Math.max(0, Math.min(full - 1, Math.round((volts * full) / this.ctx.profile.vref)));
  }

  /** A wired part's level; an unwired pin reads its pull-up (PULLUP mode) or 0. */
  readDigital(pin: number): number {
    const source = this.ctx.wiring.digital.get(pin);
    return (source ? source() : this.pins[pin].mode === PinMode.PULLUP) ? 1 : 0;
  }

  private emit(bytes: number[]): void {
    this.send?.(bytes);
  }

  private sendString(text: string): void {
    this.emit(sysex(F.STRING_DATA, bytesAsPairs(Buffer.from(text, 'latin1'))));
  }

  private reportFirmware(): void {
    const { name, major, minor } = this.ctx.firmware;
    this.emit(
      sysex(F.REPORT_FIRMWARE, [major, minor, ...bytesAsPairs(Buffer.from(name, 'latin1'))]),
    );
  }

  private restartTimer(): void {
    this.ctx.clock.clearInterval(this.timer);
    this.timer = this.ctx.clock.setInterval(() => this.sample(), this.samplingMs);
  }

  /** One pass of StandardFirmata's loop() body that runs every sampling interval. */
  private sample(): void {
    this.checkDigitalInputs(false);
    for (const pin of this.ctx.profile.pins) {
      const channel = pin.analogChannel;
      if (channel === undefined || !this.analogReporting.has(channel)) continue;
      if (this.pins[pin.number].mode !== PinMode.ANALOG) continue;
      this.sendAnalog(channel, this.readAnalog(pin.number));
    }
    this.i2c.tick();
  }

  private sendAnalog(channel: number, value: number): void {
    // ANALOG_MESSAGE carries channels 0-15; StandardFirmata reports no higher channel.
    if (channel < 16) this.emit([F.ANALOG_MESSAGE | channel, value & 0x7f, (value >> 7) & 0x7f]);
  }

  /** checkDigitalInputs()/outputPort(): report input-mode bits of reporting ports on change. */
  private checkDigitalInputs(force: boolean, only?: number): void {
    for (const port of this.reportPorts) {
      if (only !== undefined && port !== only) continue;
      let value = 0;
      for (let bit = 0; bit < 8; bit++) {
        const pin = port * 8 + bit;
        const runtime = this.pins[pin];
        if (!runtime || (runtime.mode !== PinMode.INPUT && runtime.mode !== PinMode.PULLUP))
          continue;
        if (this.readDigital(pin)) value |= 1 << bit;
      }
      if (force || this.lastPortValues.get(port) !== value) {
        this.lastPortValues.set(port, value);
        this.emit([F.DIGITAL_MESSAGE | port, value & 0x7f, (value >> 7) & 0x7f]);
      }
    }
  }

  /** systemResetCallback(): analog pins to ANALOG, digital pins to OUTPUT 0, reporting off. */
  private systemReset(): void {
    this.reportPorts.clear();
    this.lastPortValues.clear();
    this.i2c.reset();
    this.onewire.reset();
    for (const pin of this.ctx.profile.pins) {
      const runtime = this.pins[pin.number];
      runtime.servo = undefined;
      runtime.state = 0;
      const supported = pin.modes.map(([mode]) => mode);
      if (pin.analogChannel !== undefined) runtime.mode = PinMode.ANALOG;
      else if (supported.includes(PinMode.OUTPUT)) runtime.mode = PinMode.OUTPUT;
      else runtime.mode = PinMode.IGNORE;
    }
    this.analogReporting.clear();
  }

  private handle(message: FirmataMessage): void {
    if (message.type === 'sysex') {
      this.handleSysex(message.command, message.data);
      return;
    }
    const [a = 0, b = 0] = message.data;
    switch (message.command) {
      case F.DIGITAL_MESSAGE:
        this.digitalWrite(message.channel, a | (b << 7));
        return;
      case F.ANALOG_MESSAGE:
        this.analogWrite(message.channel, a | (b << 7));
        return;
      case F.REPORT_ANALOG:
        this.reportAnalog(message.channel, a !== 0);
        return;
      case F.REPORT_DIGITAL:
        this.reportDigital(message.channel, a !== 0);
        return;
      case F.SET_PIN_MODE:
        this.setPinMode(a, b);
        return;
      case F.SET_DIGITAL_PIN_VALUE:
        this.setPinValue(a, b);
        return;
      case F.REPORT_VERSION:
        this.emit([F.REPORT_VERSION, PROTOCOL_VERSION.major, PROTOCOL_VERSION.minor]);
        return;
      case F.SYSTEM_RESET:
        this.systemReset();
        return;
    }
  }

  private handleSysex(command: number, data: number[]): void {
    switch (command) {
      case F.REPORT_FIRMWARE:
        this.reportFirmware();
        return;
      case F.CAPABILITY_QUERY:
        this.emit(
          sysex(
            F.CAPABILITY_RESPONSE,
            this.ctx.profile.pins.flatMap((pin) => [...pin.modes.flat(), 0x7f]),
          ),
        );
        return;
      case F.ANALOG_MAPPING_QUERY:
        this.emit(
          sysex(
            F.ANALOG_MAPPING_RESPONSE,
            this.ctx.profile.pins.map((pin) => pin.analogChannel ?? 0x7f),
          ),
        );
        return;
      case F.PIN_STATE_QUERY:
        this.pinStateResponse(data[0]);
        return;
      case F.SAMPLING_INTERVAL:
        if (data.length < 2) {
          this.sendString('Not enough data');
          return;
        }
        this.samplingMs = Math.max(F.MINIMUM_SAMPLING_INTERVAL_MS, data[0] | (data[1] << 7));
        this.restartTimer();
        return;
      case F.EXTENDED_ANALOG: {
        if (data.length < 2) return;
        const value = data.slice(1).reduce((acc, byte, i) => acc | (byte << (7 * i)), 0);
        this.analogWrite(data[0], value);
        return;
      }
      case F.SERVO_CONFIG:
        this.servoConfig(data);
        return;
      case F.I2C_CONFIG:
        this.i2c.config(data);
        return;
      case F.I2C_REQUEST:
        this.i2c.request(data);
        return;
      case F.ONEWIRE_DATA:
        this.onewire.handle(data);
        return;
      case F.STRING_DATA:
        return; // the host's strings go nowhere on a real board either
      default:
        this.sendString(`Unhandled sysex command 0x${command.toString(16)}`);
    }
  }

  private supports(pin: number, mode: number): boolean {
    const profile = this.ctx.profile.pins[pin];
    return profile?.modes.some(([m]) => m === mode) ?? false;
  }

  /** setPinModeCallback(): unsupported modes leave the pin as it was. */
  private setPinMode(pin: number, mode: number): void {
    const runtime = this.pins[pin];
    const profile = this.ctx.profile.pins[pin];
    if (!runtime || !profile || runtime.mode === PinMode.IGNORE) return;
    if (!(mode in PIN_MODE_NAMES)) {
      this.sendString('Unknown pin mode');
      return;
    }
    if (profile.analogChannel !== undefined) {
      this.setAnalogReporting(profile.analogChannel, mode === PinMode.ANALOG, true);
    }
    if (!this.supports(pin, mode)) return;
    runtime.state = mode === PinMode.PULLUP ? 1 : 0;
    runtime.mode = mode;
    if (mode !== PinMode.SERVO) runtime.servo = undefined;
    else runtime.servo ??= { minPulse: 544, maxPulse: 2400 };
    if (mode === PinMode.ONEWIRE) this.onewire.handle([F.OneWire.CONFIG_REQUEST, pin]);
  }

  /** digitalWriteCallback(): writes the OUTPUT pins of a port; INPUT bits set to 1 enable pull-ups. */
  private digitalWrite(port: number, value: number): void {
    for (let bit = 0; bit < 8; bit++) {
      const pin = port * 8 + bit;
      const runtime = this.pins[pin];
      if (!runtime || !this.supports(pin, PinMode.OUTPUT)) continue;
      const level = (value >> bit) & 1;
      if (runtime.mode === PinMode.OUTPUT) runtime.state = level;
      else if (runtime.mode === PinMode.INPUT && level === 1) runtime.mode = PinMode.PULLUP;
    }
    this.checkDigitalInputs(false, port);
  }

  /** setPinValueCallback(): SET_DIGITAL_PIN_VALUE drives one OUTPUT pin. */
  private setPinValue(pin: number, value: number): void {
    const runtime = this.pins[pin];
    if (runtime?.mode === PinMode.OUTPUT) runtime.state = value ? 1 : 0;
  }

  /** analogWriteCallback(): PWM duty or servo position. */
  private analogWrite(pin: number, value: number): void {
    const runtime = this.pins[pin];
    if (runtime?.mode === PinMode.PWM) runtime.state = Math.min(value, 255);
    else if (runtime?.mode === PinMode.SERVO) runtime.state = value;
  }

  private servoConfig(data: number[]): void {
    if (data.length < 5) return;
    const [pin, minL, minM, maxL, maxM] = data;
    if (!this.supports(pin, PinMode.SERVO)) return;
    this.setPinMode(pin, PinMode.SERVO);
    this.pins[pin].servo = { minPulse: minL | (minM << 7), maxPulse: maxL | (maxM << 7) };
  }

  private reportAnalog(channel: number, on: boolean): void {
    this.setAnalogReporting(channel, on, true);
  }

  /** reportAnalogCallback(): turning a channel on sends its value at once. */
  private setAnalogReporting(channel: number, on: boolean, sendNow: boolean): void {
    const pin = this.ctx.profile.pins.find((p) => p.analogChannel === channel);
    if (!pin) return;
    if (!on) {
      this.analogReporting.delete(channel);
      return;
    }
    this.analogReporting.add(channel);
    if (sendNow) this.sendAnalog(channel, this.readAnalog(pin.number));
  }

  /** reportDigitalCallback(): turning a port on sends its input bits at once. */
  private reportDigital(port: number, on: boolean): void {
    if (!on) {
      this.reportPorts.delete(port);
      return;
    }
    this.reportPorts.add(port);
    this.checkDigitalInputs(true, port);
  }

  private pinStateResponse(pin: number | undefined): void {
    if (pin === undefined) return;
    const runtime = this.pins[pin];
    if (!runtime) {
      this.emit(sysex(F.PIN_STATE_RESPONSE, [pin]));
      return;
    }
    const state = runtime.state;
    const bytes = [pin, runtime.mode, state & 0x7f];
    if (state & 0xff80) bytes.push((state >> 7) & 0x7f);
    if (state & 0xc000) bytes.push((state >> 14) & 0x7f);
    this.emit(sysex(F.PIN_STATE_RESPONSE, bytes));
  }
}
