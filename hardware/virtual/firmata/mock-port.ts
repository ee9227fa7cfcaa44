/**
 * Plugs a virtual board into serialport's mock binding, so `new SerialPortMock({ path })` talks
 * to it. The mock binding keeps its ports in module state and offers no hook for "the other end",
 * so this wraps `open` once per binding object to learn of each MockPortBinding as it is created,
 * and wraps that instance's `write`, `read` and `close`:
 *   - host writes go to the board after the mock accepted them;
 *   - board output is `emitData` on the binding (what the host reads);
 *   - unplugging fails the pending read with a non-canceled error, which @serialport/stream
 *     turns into a 'close' with a DisconnectedError, as a real USB unplug does; while unplugged,
 *     opening the path fails.
 * The binding is taken from serialport's own SerialPortMock (CommonJS): an ESM import of
 * @serialport/binding-mock is a second copy with its own ports, so both copies are hooked.
 */
import { SerialPortMock } from 'serialport';

type Binding = typeof SerialPortMock.binding;
type MockPortBinding = Awaited<ReturnType<Binding['open']>>;

// The ESM build of @serialport/binding-mock ships no type declarations (its package "exports"
// map has no "types"), so it is loaded by a specifier TypeScript does not resolve. It is loaded
// on first use rather than at the top level, so that this module has no top-level await.
const ESM_MOCK_SPECIFIER: string = '@serialport/binding-mock';
let esmMockBinding: Promise<Binding> | undefined;
function loadEsmMockBinding(): Promise<Binding> {
  esmMockBinding ??= import(ESM_MOCK_SPECIFIER).then(
    (m: { MockBinding: Binding }) => m.MockBinding,
  );
  return esmMockBinding;
}

export interface MockEnd {
  /** The host opened the port: the board powers up and sends through `write`. */
  onOpen(write: (bytes: Buffer) => void): void;
  onData(bytes: Buffer): void;
  /** The host closed the port, or it was unplugged. */
  onClose(): void;
}

interface Attachment {
  end: MockEnd;
  plug: 'plugged' | 'unplugged';
  open?: MockPortBinding;
}

const attachments = new Map<string, Attachment>();
const hooked = new WeakSet<object>();

/** The mock binding objects in this process: serialport's copy first. */
async function bindings(): Promise<Binding[]> {
  const list = [SerialPortMock.binding, await loadEsmMockBinding()];
  return list.filter((b, i) => list.indexOf(b) === i);
}

class UnpluggedError extends Error {
  readonly disconnected = true;
}

function hook(binding: Binding): void {
  if (hooked.has(binding)) return;
  hooked.add(binding);
  const open = binding.open.bind(binding);
  binding.open = async (options) => {
    const attachment = options?.path ? attachments.get(options.path) : undefined;
    if (attachment?.plug === 'unplugged') {
      throw new Error(`Error: No such file or directory, cannot open ${options.path} (unplugged)`);
    }
    const port = await open(options);
    if (attachment) connect(attachment, port);
    return port;
  };
}

function connect(attachment: Attachment, port: MockPortBinding): void {
  attachment.open = port;
  const write = port.write.bind(port);
  const read = port.read.bind(port);
  const close = port.close.bind(port);
  port.write = async (buffer: Buffer) => {
    if (attachment.plug === 'unplugged') throw new UnpluggedError('Write failed: device unplugged');
    await write(buffer);
    attachment.end.onData(Buffer.from(buffer));
  };
  port.read = async (buffer: Buffer, offset: number, length: number) => {
    if (attachment.plug === 'unplugged') throw new UnpluggedError('Read failed: device unplugged');
    return read(buffer, offset, length);
  };
  port.close = async () => {
    // A port from before an unplug may close after the next session began: leave that one be.
    if (attachment.open === port) {
      attachment.open = undefined;
      attachment.end.onClose();
    }
    return close();
  };
  attachment.end.onOpen((bytes) => {
    if (port.isOpen && attachment.plug === 'plugged') port.emitData(bytes);
  });
}

/** Creates the mock port `path` (listed with `usb` ids) and routes it to `end`. */
export async function attachMockPort(
  path: string,
  end: MockEnd,
  usb?: { manufacturer: string; vendorId: string; productId: string },
): Promise<void> {
  if (attachments.has(path)) {
    throw new Error(`mock serial port ${path}: a virtual board is already attached there`);
  }
  attachments.set(path, { end, plug: 'plugged' });
  for (const binding of await bindings()) {
    hook(binding);
    binding.createPort(path, { record: false, ...usb });
  }
}

export function detachMockPort(path: string): void {
  const attachment = attachments.get(path);
  if (!attachment) return;
  setUnplugged(path, true);
  attachments.delete(path);
}

/** Unplugged: the open port fails like a vanished USB device and the path cannot be opened. */
export function setUnplugged(path: string, unplugged: boolean): void {
  const attachment = attachments.get(path);
  if (!attachment) throw new Error(`mock serial port ${path}: no virtual board attached`);
  attachment.plug = unplugged ? 'unplugged' : 'plugged';
  const port = attachment.open;
  if (!unplugged || !port) return;
  attachment.open = undefined;
  const pending = (port as unknown as { pendingRead: ((err?: Error) => void) | null }).pendingRead;
  if (pending) {
    (port as unknown as { pendingRead: null }).pendingRead = null;
    pending(new UnpluggedError('Read failed: device unplugged'));
  }
  attachment.end.onClose();
}
