// Neither package ships type declarations; these cover only what firmware/flash/arduino.ts uses.
declare module 'stk500' {
  interface Stk500Board {
    name: string;
    baud: number;
    signature: Buffer;
    pageSize: number;
    timeout: number;
  }
  type Callback = (error?: Error | null, data?: Buffer) => void;
  class Stk500 {
    constructor(options?: { quiet?: boolean });
    sync(stream: NodeJS.ReadWriteStream, attempts: number, timeout: number, done: Callback): void;
    verifySignature(
      stream: NodeJS.ReadWriteStream,
      signature: Buffer,
      timeout: number,
      done: Callback,
    ): void;
    setOptions(
      stream: NodeJS.ReadWriteStream,
      options: Record<string, number>,
      timeout: number,
      done: Callback,
    ): void;
    enterProgrammingMode(stream: NodeJS.ReadWriteStream, timeout: number, done: Callback): void;
    upload(
      stream: NodeJS.ReadWriteStream,
      hex: Buffer,
      pageSize: number,
      timeout: number,
      done: Callback,
    ): void;
    loadAddress(
      stream: NodeJS.ReadWriteStream,
      wordAddress: number,
      timeout: number,
      done: Callback,
    ): void;
    exitProgrammingMode(stream: NodeJS.ReadWriteStream, timeout: number, done: Callback): void;
    bootload(
      stream: NodeJS.ReadWriteStream,
      hex: Buffer,
      board: Stk500Board,
      done: (error?: Error | null) => void,
    ): void;
  }
  export = Stk500;
}

declare module 'intel-hex' {
  export function parse(data: string | Buffer): {
    data: Buffer;
    startSegmentAddress: number | null;
  };
}

declare module 'stk500/lib/sendCommand.js' {
  function sendCommand(
    stream: NodeJS.ReadWriteStream,
    options: {
      cmd: number[] | Buffer;
      responseData?: Buffer;
      responseLength?: number;
      timeout: number;
    },
    done: (error?: Error | null, data?: Buffer) => void,
  ): void;
  export = sendCommand;
}
