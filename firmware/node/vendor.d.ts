/**
 * The parts of johnny-five and firmata-io the node target uses; neither package ships types.
 * Signatures follow their sources (node_modules/johnny-five/lib/board.js,
 * node_modules/firmata-io/lib/firmata.js).
 */
declare module 'firmata-io' {
  import { EventEmitter } from 'node:events';
  export interface FirmataPin {
    mode: number | null;
    value: number;
    analogChannel: number;
    supportedModes: number[];
  }
  export class Firmata extends EventEmitter {
    constructor(
      port: object,
      options?: {
        reportVersionTimeout?: number;
        samplingInterval?: number;
        skipCapabilities?: boolean;
      },
    );
    MODES: {
      INPUT: number;
      OUTPUT: number;
      ANALOG: number;
      PWM: number;
      SERVO: number;
      PULLUP: number;
      ONEWIRE: number;
      I2C: number;
    };
    RESOLUTION: { ADC: number; PWM: number };
    pins: FirmataPin[];
    analogPins: number[];
    isReady: boolean;
    pending: number;
    pinMode(pin: number, mode: number): void;
    analogRead(channel: number, callback: (value: number) => void): void;
    digitalRead(pin: number, callback: (value: number) => void): void;
    digitalWrite(pin: number, value: number): void;
    pwmWrite(pin: number, value: number): void;
    servoWrite(pin: number, degrees: number): void;
    setSamplingInterval(ms: number): void;
    i2cConfig(options: { delay?: number }): void;
    i2cWrite(address: number, bytes: number[]): void;
    i2cReadOnce(
      address: number,
      register: number,
      length: number,
      callback: (bytes: number[]) => void,
    ): void;
    sendOneWireConfig(pin: number, parasitic: boolean): void;
    sendOneWireSearch(
      pin: number,
      callback: (error: Error | null, devices: number[][]) => void,
    ): void;
    sendOneWireReset(pin: number): void;
    sendOneWireWrite(pin: number, device: number[], data: number): void;
    sendOneWireWriteAndRead(
      pin: number,
      device: number[],
      data: number,
      length: number,
      callback: (error: Error | null, bytes: number[]) => void,
    ): void;
  }
  const bindTransport: ((transport: unknown) => typeof Firmata) & { Firmata: typeof Firmata };
  export default bindTransport;
}

declare module 'johnny-five' {
  import { EventEmitter } from 'node:events';
  export class Board extends EventEmitter {
    constructor(options: {
      io: object;
      repl?: boolean;
      debug?: boolean;
      sigint?: boolean;
      timeout?: number;
      id?: string;
    });
    isReady: boolean;
    io: object;
  }
  const five: { Board: typeof Board };
  export default five;
}
