// Neither package ships type declarations; these cover only what firmware/flash/arduino.ts uses.
declare module 'stk500' {
  interface Stk500Board {
    name: string;
    baud: number;
    signature: Buffer;
    pageSize: number;
    timeout: number;
  }
  class Stk500 {
    constructor(options?: { quiet?: boolean });
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
