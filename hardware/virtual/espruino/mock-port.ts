/**
 * Virtual Espruino boards behind serialport's mock binding, for unit tests. The binding below
 * is MockBinding with one addition: what the host writes reaches the board, and what the board
 * prints arrives as received data. Opening honours MockBinding's lock (a second open of a
 * port fails as a real locked port does), and a board can be told to reset on open.
 *
 * Use with `new SerialPortStream({ binding, path, baudRate })` (the stream serialport's
 * SerialPort and SerialPortMock are built on).
 */
import type { SerialPortStream } from '@serialport/stream';
import { SerialPortMock } from 'serialport';

// @serialport/binding-mock and bindings-interface ship no types NodeNext can resolve from an
// ES module (their exports maps lack a types condition); serialport re-exposes MockBinding
// with its types as SerialPortMock.binding.
const MockBinding = SerialPortMock.binding;
type MockPortBinding = Awaited<ReturnType<typeof MockBinding.open>>;
type BindingInterface = ConstructorParameters<typeof SerialPortStream>[0]['binding'];
type OpenOptions = Parameters<typeof MockBinding.open>[0];
type PortInfo = Awaited<ReturnType<typeof MockBinding.list>>[number];

/** USB ids of a genuine Espruino (STMicroelectronics virtual COM port). */
export const ESPRUINO_USB = { vendorId: '0483', productId: '5740', manufacturer: 'Espruino' };

/** Anything that sits behind a serial port: a virtual Espruino, a fake bootloader. */
export interface SerialDevice {
  receive(data: Buffer): void;
  onOutput(listener: (data: Buffer) => void): () => void;
  portOpened(): void;
  close?(): void;
}

export interface MockPortInfo {
  vendorId?: string;
  productId?: string;
  manufacturer?: string;
}

export class VirtualEspruinoPorts implements BindingInterface {
  private readonly boards = new Map<string, SerialDevice>();

  /** Puts `board` behind the mock port `path`. */
  addBoard(path: string, board: SerialDevice, info: MockPortInfo = ESPRUINO_USB): void {
    MockBinding.createPort(path, { ...info, echo: false, record: false });
    this.boards.set(path, board);
  }

  /** A port with nothing Espruino behind it: silent, or echoing what it is sent. */
  addOtherPort(path: string, options: MockPortInfo & { echo?: boolean } = {}): void {
    MockBinding.createPort(path, { ...options, record: false });
  }

  /** Forgets every port (MockBinding keeps one registry per process). */
  reset(): void {
    for (const board of this.boards.values()) board.close?.();
    this.boards.clear();
    MockBinding.reset();
  }

  list(): Promise<PortInfo[]> {
    return MockBinding.list();
  }

  async open(options: OpenOptions): Promise<MockPortBinding> {
    const port = await MockBinding.open(options);
    const board = this.boards.get(options.path);
    if (!board) return port;
    const unsubscribe = board.onOutput((data) => {
      if (port.isOpen) port.emitData(data);
    });
    const write = port.write.bind(port);
    port.write = async (buffer: Buffer) => {
      await write(buffer);
      board.receive(Buffer.from(buffer));
    };
    const close = port.close.bind(port);
    port.close = async () => {
      unsubscribe();
      await close();
    };
    board.portOpened();
    return port;
  }
}
