/**
 * The firmware of the virtual Arduino: StandardFirmata 2.5's behaviour, from the board's side.
 * It answers queries, dispatches pin commands to the pin table, runs the sampling loop (analog
 * reports and continuous I2C reads every sampling interval) and reports digital inputs when they
 * change. It knows nothing of serial ports: `start(send)` is the board powering up (an Arduino
 * resets when its port opens) and `receive(bytes)` is what the host wrote.
 * Each handler names the StandardFirmata.ino callback it mirrors.
 */
import type { Clock, TimerId } from '../../../lib/clock.js';
import type { World, WorldChange } from '../world.js';
import * as F from './constants.js';
import { PinMode } from './constants.js';
import { bytesAsPairs, sysex } from './encode.js';
import { I2cHost } from './i2c-host.js';
import { OneWireHost } from './onewire-host.js';
import { type FirmataMessage, FirmataParser } from './parser.js';
import { PinTable } from './pin-table.js';
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

export interface PinStateView {
  number: number;
  mode: string;
  /** Output level or written value for outputs; the level or ADC count the pin reads for inputs. */
  value: number;
  /** Analog pins: whether ANALOG reports are on; digital: whether the pin's port reports. */
  reporting: boolean;
}

export class FirmataBoardCore {
  private readonly pins: PinTable;
  private readonly parser = new FirmataParser((m) => this.handle(m));
  private readonly i2c: I2cHost;
  private readonly onewire: OneWireHost;
  private send: ((bytes: number[]) => void) | null = null;
  private samplingMs: number = F.DEFAULT_SAMPLING_INTERVAL_MS;
  private timer: TimerId | undefined;
  private readonly analogReporting = new Set<number>();
  private readonly reportPorts = new Set<number>();
  private readonly lastPortValues = new Map<number, number>();
  private readonly onWorldChange = (change: WorldChange) => {
    if (change.kind === 'button' || change.kind === 'motion') this.checkDigitalInputs(false);
  };

  constructor(private readonly ctx: BoardCoreContext) {
    const out = (bytes: number[]) => this.emit(bytes);
    const sendString = (text: string) => this.sendString(text);
    this.i2c = new I2cHost({ devices: ctx.wiring.i2c, send: out, sendString });
    this.onewire = new OneWireHost({
      devicesOn: (pin) => ctx.wiring.onewire.get(pin) ?? [],
      send: out,
    });
    this.pins = new PinTable(ctx.profile, {
      // reportAnalogCallback() from setPinModeCallback(): on sends the value at once.
      analogMode: (channel, on) => this.setAnalogReporting(channel, on),
      oneWireMode: (pin) => this.onewire.handle([F.OneWire.CONFIG_REQUEST, pin]),
      sendString,
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
    const runtime = this.pins.get(pin.number);
    const mode = runtime?.mode;
    const analog = mode === PinMode.ANALOG;
    const value = this.pins.isInput(pin.number)
      ? this.readDigital(pin.number)
      : analog
        ? this.readAnalog(pin.number)
        : (runtime?.state ?? 0);
    const reporting = analog
      ? this.analogReporting.has(pin.analogChannel ?? -1)
      : this.reportPorts.has(pin.number >> 3);
    return { number: pin.number, mode: this.pins.modeName(pin.number), value, reporting };
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
    return (source ? source() : this.pins.get(pin)?.mode === PinMode.PULLUP) ? 1 : 0;
  }

  private emit(bytes: number[]): void {
    this.send?.(bytes);
  }

  private sendString(text: string): void {
    this.emit(sysex(F.STRING_DATA, bytesAsPairs(Buffer.from(text, 'latin1'))));
  }

  private reportFirmware(): void {
    const { name, major, minor } = this.ctx.firmware;
    const encoded = bytesAsPairs(Buffer.from(name, 'latin1'));
    this.emit(sysex(F.REPORT_FIRMWARE, [major, minor, ...encoded]));
  }

  private restartTimer(): void {
    this.ctx.clock.clearInterval(this.timer);
    this.timer = this.ctx.clock.setInterval(() => this.sample(), this.samplingMs);
  }

  /** The part of StandardFirmata's loop() that runs every sampling interval. */
  private sample(): void {
    this.checkDigitalInputs(false);
    for (const pin of this.ctx.profile.pins) {
      const channel = pin.analogChannel;
      if (channel === undefined || !this.analogReporting.has(channel)) continue;
      if (this.pins.get(pin.number)?.mode !== PinMode.ANALOG) continue;
      this.sendAnalog(channel, this.readAnalog(pin.number));
    }
    this.i2c.tick();
  }

  private sendAnalog(channel: number, value: number): void {
    // ANALOG_MESSAGE carries channels 0-15; StandardFirmata reports no higher channel.
    if (channel < 16) this.emit([F.ANALOG_MESSAGE | channel, value & 0x7f, (value >> 7) & 0x7f]);
  }

  /** checkDigitalInputs()/outputPort(): the input-mode bits of reporting ports, on change. */
  private checkDigitalInputs(force: boolean, only?: number): void {
    for (const port of this.reportPorts) {
      if (only !== undefined && port !== only) continue;
      let value = 0;
      for (let bit = 0; bit < 8; bit++) {
        const pin = port * 8 + bit;
        if (this.pins.isInput(pin) && this.readDigital(pin)) value |= 1 << bit;
      }
      if (force || this.lastPortValues.get(port) !== value) {
        this.lastPortValues.set(port, value);
        this.emit([F.DIGITAL_MESSAGE | port, value & 0x7f, (value >> 7) & 0x7f]);
      }
    }
  }

  /** systemResetCallback(): pins to their defaults, reporting off, buses released. */
  private systemReset(): void {
    this.reportPorts.clear();
    this.lastPortValues.clear();
    this.i2c.reset();
    this.onewire.reset();
    this.pins.reset();
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
        this.pins.writePort(message.channel, a | (b << 7));
        this.checkDigitalInputs(false, message.channel);
        return;
      case F.ANALOG_MESSAGE:
        this.pins.writeAnalog(message.channel, a | (b << 7));
        return;
      case F.REPORT_ANALOG:
        this.setAnalogReporting(message.channel, a !== 0);
        return;
      case F.REPORT_DIGITAL:
        this.reportDigital(message.channel, a !== 0);
        return;
      case F.SET_PIN_MODE:
        this.pins.setMode(a, b);
        return;
      case F.SET_DIGITAL_PIN_VALUE:
        this.pins.writePin(a, b);
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
    const { pins } = this.ctx.profile;
    switch (command) {
      case F.REPORT_FIRMWARE:
        this.reportFirmware();
        return;
      case F.CAPABILITY_QUERY:
        this.emit(
          sysex(
            F.CAPABILITY_RESPONSE,
            pins.flatMap((p) => [...p.modes.flat(), 0x7f]),
          ),
        );
        return;
      case F.ANALOG_MAPPING_QUERY:
        this.emit(
          sysex(
            F.ANALOG_MAPPING_RESPONSE,
            pins.map((p) => p.analogChannel ?? 0x7f),
          ),
        );
        return;
      case F.PIN_STATE_QUERY:
        if (data[0] !== undefined)
          this.emit(sysex(F.PIN_STATE_RESPONSE, this.pins.stateResponse(data[0])));
        return;
      case F.SAMPLING_INTERVAL:
        if (data.length < 2) {
          this.sendString('Not enough data');
          return;
        }
        this.samplingMs = Math.max(F.MINIMUM_SAMPLING_INTERVAL_MS, data[0] | (data[1] << 7));
        this.restartTimer();
        return;
      case F.EXTENDED_ANALOG:
        if (data.length >= 2) {
          this.pins.writeAnalog(
            data[0],
            data.slice(1).reduce((acc, byte, i) => acc | (byte << (7 * i)), 0),
          );
        }
        return;
      case F.SERVO_CONFIG:
        if (data.length >= 5) {
          this.pins.configureServo(data[0], data[1] | (data[2] << 7), data[3] | (data[4] << 7));
        }
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

  /** reportAnalogCallback(): turning a channel on sends its value at once. */
  private setAnalogReporting(channel: number, on: boolean): void {
    const pin = this.ctx.profile.pins.find((p) => p.analogChannel === channel);
    if (!pin) return;
    if (!on) {
      this.analogReporting.delete(channel);
      return;
    }
    this.analogReporting.add(channel);
    this.sendAnalog(channel, this.readAnalog(pin.number));
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
}
