/**
 * The StandardFirmata flasher against a simulated STK500v1 bootloader (optiboot's side of the
 * protocol, as in the ATmega328P datasheet and Atmel AVR061) behind serialport's mock binding.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { ARDUINO_BOARDS, flashFirmata, loadFirmataImage } from '../../firmware/flash/arduino.js';
import { silentProgress } from '../../firmware/flash/progress.js';
import {
  type SerialDevice,
  VirtualEspruinoPorts,
} from '../../hardware/virtual/espruino/mock-port.js';
import { systemClock } from '../../lib/clock.js';
import { flashError } from './flash-error.js';

const INSYNC = 0x14;
const OK = 0x10;
const EOP = 0x20;

/** Answers STK500v1 like optiboot on an ATmega328P; `flipAt` corrupts one written byte. */
class FakeOptiboot implements SerialDevice {
  readonly flash = Buffer.alloc(32 * 1024, 0xff);
  private input = Buffer.alloc(0);
  private address = 0;
  private readonly listeners = new Set<(data: Buffer) => void>();
  left = false;

  constructor(
    private readonly signature = Buffer.from([0x1e, 0x95, 0x0f]),
    private readonly flipAt?: number,
  ) {}

  onOutput(listener: (data: Buffer) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  portOpened(): void {}

  receive(data: Buffer): void {
    this.input = Buffer.concat([this.input, data]);
    for (let used = this.step(); used > 0; used = this.step())
      this.input = this.input.subarray(used);
  }

  private reply(...bytes: Array<number | Buffer>): void {
    const out = Buffer.concat(bytes.map((b) => (typeof b === 'number' ? Buffer.from([b]) : b)));
    setImmediate(() => {
      for (const listener of this.listeners) listener(out);
    });
  }

  /** Handles one complete command at the start of the input; returns its length, or 0. */
  private step(): number {
    const b = this.input;
    if (b.length === 0) return 0;
    const lengths: Record<number, number> = { 48: 2, 117: 2, 66: 22, 80: 2, 81: 2, 85: 4, 116: 5 };
    let length = lengths[b[0]!];
    if (b[0] === 0x64)
      length = b.length >= 3 ? 5 + ((b[1]! << 8) | b[2]!) : Number.POSITIVE_INFINITY;
    if (length === undefined) return 1; // noise: skip a byte
    if (b.length < length) return 0;
    if (b[length - 1] !== EOP) return 1;
    switch (b[0]) {
      case 0x75:
        this.reply(INSYNC, this.signature, OK);
        break;
      case 0x55:
        this.address = (b[1]! | (b[2]! << 8)) * 2;
        this.reply(INSYNC, OK);
        break;
      case 0x64: {
        const page = Buffer.from(b.subarray(4, length - 1));
        const at = this.flipAt;
        if (at !== undefined && at >= this.address && at < this.address + page.length)
          page[at - this.address] ^= 0xff;
        page.copy(this.flash, this.address);
        this.reply(INSYNC, OK);
        break;
      }
      case 0x74: {
        const size = (b[1]! << 8) | b[2]!;
        this.reply(INSYNC, this.flash.subarray(this.address, this.address + size), OK);
        break;
      }
      case 0x51:
        this.left = true;
        this.reply(INSYNC, OK);
        break;
      default:
        this.reply(INSYNC, OK);
    }
    return length;
  }
}

const ports = new VirtualEspruinoPorts();
const ctx = { binding: ports, clock: systemClock, progress: silentProgress };
test.after.each(() => ports.reset());

test('the shipped StandardFirmata images parse and fit their boards', async () => {
  for (const name of Object.keys(ARDUINO_BOARDS)) {
    const image = await loadFirmataImage(ARDUINO_BOARDS[name]!);
    assert.ok(
      image.length > 10_000 && image.length <= ARDUINO_BOARDS[name]!.maxBytes,
      `${name}: ${image.length}`,
    );
    assert.ok(
      image.includes(Buffer.from('StandardFirmata')) ||
        image.toString('latin1').includes('S\0t\0a\0n\0d'),
      name,
    );
  }
});

test('writes StandardFirmata to an Uno, compares every page, leaves programming mode', async () => {
  const chip = new FakeOptiboot();
  ports.addBoard('/dev/ttyACM0', chip, { vendorId: '2341', productId: '0043' });
  const result = await flashFirmata(ctx, { path: '/dev/ttyACM0', board: 'uno' });
  const image = await loadFirmataImage(ARDUINO_BOARDS.uno!);
  assert.is(result.bytes, image.length);
  assert.ok(chip.flash.subarray(0, image.length).equals(image));
  assert.ok(chip.left);
});

test('a page that reads back different is a verify failure', async () => {
  ports.addBoard('/dev/ttyACM0', new FakeOptiboot(undefined, 300));
  const error = await flashError(flashFirmata(ctx, { path: '/dev/ttyACM0', board: 'uno' }));
  assert.is(error.kind, 'verify-failed');
  assert.match(error.message, /flash at 0x100 differs from the image/, error.message);
});

test('another chip (wrong signature) is refused before writing', async () => {
  const chip = new FakeOptiboot(Buffer.from([0x1e, 0x98, 0x01]));
  ports.addBoard('/dev/ttyACM0', chip);
  const error = await flashError(flashFirmata(ctx, { path: '/dev/ttyACM0', board: 'uno' }));
  assert.is(error.kind, 'verify-failed');
  assert.match(error.message, /signature: not the Arduino Uno's ATmega328P/);
  assert.ok(chip.flash.equals(Buffer.alloc(32 * 1024, 0xff)), 'nothing written');
});

test('no bootloader on the port', async () => {
  ports.addOtherPort('/dev/ttyUSB0');
  const error = await flashError(flashFirmata(ctx, { path: '/dev/ttyUSB0', board: 'nano' }));
  assert.is(error.kind, 'no-bootloader');
  assert.match(error.message, /No Arduino bootloader answered on \/dev\/ttyUSB0/);
  assert.match(error.hint, /--board nano-old/);
});

test.run();
