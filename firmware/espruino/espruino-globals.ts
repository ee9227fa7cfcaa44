/**
 * The Espruino built-ins the bundle uses, declared for TypeScript (reference:
 * espruino.com/Reference). Only what firmware/espruino/*.ts calls.
 */
export interface EspruinoPin {
  read(): boolean;
}

export interface EspruinoI2C {
  setup(options: { sda: unknown; scl: unknown; bitrate?: number }): void;
  writeTo(address: number, data: number | number[]): void;
  readFrom(address: number, length: number): ArrayLike<number>;
}

export interface EspruinoOneWire {
  search(): string[];
  reset(): boolean;
  select(device: string): void;
  write(data: number, power?: boolean): void;
  read(count: number): ArrayLike<number>;
}

export interface EspruinoGlobals {
  analogRead(pin: unknown): number;
  digitalRead(pin: unknown): number;
  digitalWrite(pin: unknown, value: boolean | number): void;
  analogWrite(pin: unknown, value: number, options?: { freq?: number }): void;
  pinMode(pin: unknown, mode: string): void;
  setWatch(
    fn: () => void,
    pin: unknown,
    options: { repeat: boolean; edge: string; debounce: number },
  ): unknown;
  I2C1: EspruinoI2C;
  OneWire: new (pin: unknown) => EspruinoOneWire;
  require(name: string): unknown;
  process: { memory(): { free: number; total: number; usage: number } };
  E: { reboot?: () => void };
  load?: () => void;
}
