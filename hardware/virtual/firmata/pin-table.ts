/**
 * The pins' modes and values, changed the way StandardFirmata 2.5's pin callbacks change them
 * (setPinModeCallback, digitalWriteCallback, setPinValueCallback, analogWriteCallback,
 * servo config, systemResetCallback). Reporting lives in board-core.ts; this holds state only.
 */
import { PIN_MODE_NAMES, PinMode } from './constants.js';
import type { VirtualBoardProfile } from './pins.js';

export interface PinRuntime {
  mode: number;
  /** Firmata's "pin state": output level, PWM duty, servo position, or the pull-up flag. */
  state: number;
  servo?: { minPulse: number; maxPulse: number };
}

export interface PinTableHooks {
  /** A pin with an ADC entered (on) or left (off) ANALOG mode. */
  analogMode(channel: number, on: boolean): void;
  /** A pin entered ONEWIRE mode: its bus is configured. */
  oneWireMode(pin: number): void;
  sendString(text: string): void;
}

/** Servo.attach()'s default pulse range, µs (Arduino Servo library). */
const SERVO_DEFAULT = { minPulse: 544, maxPulse: 2400 };

/** Modes StandardFirmata's setPinModeCallback handles (plus ONEWIRE, as ConfigurableFirmata). */
const HANDLED_MODES = new Set<number>([
  PinMode.INPUT,
  PinMode.OUTPUT,
  PinMode.ANALOG,
  PinMode.PWM,
  PinMode.SERVO,
  PinMode.I2C,
  PinMode.ONEWIRE,
  PinMode.PULLUP,
]);

export class PinTable {
  private readonly pins: PinRuntime[];

  constructor(
    private readonly profile: VirtualBoardProfile,
    private readonly hooks: PinTableHooks,
  ) {
    this.pins = profile.pins.map(() => ({ mode: PinMode.OUTPUT, state: 0 }));
    this.reset();
  }

  get(pin: number): PinRuntime | undefined {
    return this.pins[pin];
  }

  modeName(pin: number): string {
    return PIN_MODE_NAMES[this.pins[pin]?.mode ?? -1] ?? 'UNKNOWN';
  }

  isInput(pin: number): boolean {
    const mode = this.pins[pin]?.mode;
    return mode === PinMode.INPUT || mode === PinMode.PULLUP;
  }

  supports(pin: number, mode: number): boolean {
    return this.profile.pins[pin]?.modes.some(([m]) => m === mode) ?? false;
  }

  /** systemResetCallback(): analog pins to ANALOG, digital pins to OUTPUT 0, others IGNORE. */
  reset(): void {
    for (const pin of this.profile.pins) {
      const runtime = this.pins[pin.number];
      runtime.servo = undefined;
      runtime.state = 0;
      if (pin.analogChannel !== undefined) runtime.mode = PinMode.ANALOG;
      else if (this.supports(pin.number, PinMode.OUTPUT)) runtime.mode = PinMode.OUTPUT;
      else runtime.mode = PinMode.IGNORE;
    }
  }

  /** setPinModeCallback(): a mode the pin lacks leaves it as it was. */
  setMode(pin: number, mode: number): void {
    const runtime = this.pins[pin];
    const profile = this.profile.pins[pin];
    if (!runtime || !profile || runtime.mode === PinMode.IGNORE) return;
    if (!HANDLED_MODES.has(mode)) {
      this.hooks.sendString('Unknown pin mode');
      return;
    }
    if (profile.analogChannel !== undefined) {
      this.hooks.analogMode(profile.analogChannel, mode === PinMode.ANALOG);
    }
    if (!this.supports(pin, mode)) return;
    runtime.state = mode === PinMode.PULLUP ? 1 : 0;
    runtime.mode = mode;
    if (mode === PinMode.SERVO && !runtime.servo) this.attachServo(runtime);
    if (mode !== PinMode.SERVO) runtime.servo = undefined;
    if (mode === PinMode.ONEWIRE) this.hooks.oneWireMode(pin);
  }

  /** digitalWriteCallback(): drives the port's OUTPUT pins; an INPUT bit set to 1 enables the
   *  pull-up (the Arduino ≥ 1.0.1 behaviour StandardFirmata keeps for old clients). */
  writePort(port: number, value: number): void {
    for (let bit = 0; bit < 8; bit++) {
      const pin = port * 8 + bit;
      const runtime = this.pins[pin];
      if (!runtime || !this.supports(pin, PinMode.OUTPUT)) continue;
      const level = (value >> bit) & 1;
      if (runtime.mode === PinMode.OUTPUT) runtime.state = level;
      else if (runtime.mode === PinMode.INPUT && level === 1) {
        runtime.mode = PinMode.PULLUP;
        runtime.state = 1;
      }
    }
  }

  /** setPinValueCallback(): SET_DIGITAL_PIN_VALUE drives one OUTPUT pin. */
  writePin(pin: number, value: number): void {
    const runtime = this.pins[pin];
    if (runtime?.mode === PinMode.OUTPUT) runtime.state = value ? 1 : 0;
  }

  /** analogWriteCallback(): PWM duty (8 bits on these AVRs) or servo position. */
  writeAnalog(pin: number, value: number): void {
    const runtime = this.pins[pin];
    if (runtime?.mode === PinMode.PWM) runtime.state = Math.min(value, 255);
    else if (runtime?.mode === PinMode.SERVO && runtime.servo) runtime.state = value;
  }

  /** attachServo(): Servo.h has MAX_SERVOS slots (12 per 16-bit timer: 12 on the ATmega328P,
   *  48 on the Mega); past that the pin is in SERVO mode but drives nothing. */
  private attachServo(runtime: PinRuntime): void {
    const attached = this.pins.filter((p) => p.servo).length;
    if (attached >= this.profile.maxServos) {
      this.hooks.sendString('Max servos attached');
      return;
    }
    runtime.servo = { ...SERVO_DEFAULT };
  }

  /** SERVO_CONFIG: attach with a pulse range, in SERVO mode. */
  configureServo(pin: number, minPulse: number, maxPulse: number): void {
    if (!this.supports(pin, PinMode.SERVO)) return;
    this.setMode(pin, PinMode.SERVO);
    const runtime = this.pins[pin];
    if (runtime?.servo) runtime.servo = { minPulse, maxPulse };
  }

  /** PIN_STATE_RESPONSE body: pin, mode, state in 7-bit groups (only as many as needed). */
  stateResponse(pin: number): number[] {
    const runtime = this.pins[pin];
    if (!runtime) return [pin];
    const { state } = runtime;
    const bytes = [pin, runtime.mode, state & 0x7f];
    if (state & 0xff80) bytes.push((state >> 7) & 0x7f);
    if (state & 0xc000) bytes.push((state >> 14) & 0x7f);
    return bytes;
  }
}
