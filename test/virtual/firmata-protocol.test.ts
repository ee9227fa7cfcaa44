/**
 * The virtual Firmata board's protocol, byte by byte, over serialport's mock binding: what a
 * host sends and what StandardFirmata 2.5 answers. Time is a ManualClock.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import {
  createVirtualFirmataBoard,
  type VirtualFirmataBoard,
} from '../../hardware/virtual/firmata/index.js';
import { createWorld, type World } from '../../hardware/virtual/world.js';
import { ManualClock } from '../../lib/clock.js';
import { type BoardMessage, pairs, RawHost } from './firmata-host.js';

let counter = 0;
interface Rig {
  clock: ManualClock;
  world: World;
  board: VirtualFirmataBoard;
  host: RawHost;
  done(): Promise<void>;
}

async function rig(parts: Parameters<typeof createVirtualFirmataBoard>[0] = {}): Promise<Rig> {
  const clock = new ManualClock(Date.UTC(2026, 5, 1, 12));
  const world = createWorld({ seed: 5, clock });
  const board = createVirtualFirmataBoard({ board: 'uno', world, clock, ...parts });
  const path = `/dev/vfirmata-proto-${++counter}`;
  await board.attachMock(path);
  const host = new RawHost(path);
  await host.open();
  await host.waitFor((m) => m.kind === 'sysex' && m.command === 0x79);
  host.clear();
  return {
    clock,
    world,
    board,
    host,
    async done() {
      await host.close();
      await board.close();
      world.close();
    },
  };
}

const isAnalog = (channel: number) => (m: BoardMessage) =>
  m.kind === 'analog' && m.channel === channel;
const digitalOf = (host: RawHost, port: number) =>
  host.messages
    .filter((m) => m.kind === 'digital' && m.port === port)
    .map((m) => (m as { value: number }).value);

test('on open the board announces protocol 2.5 and StandardFirmata.ino, and answers queries', async () => {
  const world = createWorld({ seed: 1 });
  const board = createVirtualFirmataBoard({ board: 'uno', world });
  await board.attachMock('/dev/vfirmata-boot');
  const host = new RawHost('/dev/vfirmata-boot');
  await host.open();
  const version = await host.waitFor((m) => m.kind === 'version');
  assert.equal(version, { kind: 'version', major: 2, minor: 5 });
  const firmware = await host.waitFor((m) => m.kind === 'sysex' && m.command === 0x79);
  assert.ok(firmware.kind === 'sysex');
  assert.equal(firmware.data.slice(0, 2), [2, 5]);
  assert.is(Buffer.from(pairs(firmware.data.slice(2))).toString('latin1'), 'StandardFirmata.ino');
  host.clear();
  await host.request([0xf9]);
  await host.request([0xf0, 0x79, 0xf7]);
  assert.equal(host.messages[0], { kind: 'version', major: 2, minor: 5 });
  assert.is(host.sysex(0x79).length, 1);
  await host.close();
  await board.close();
});

test('capability response lists each Uno pin as StandardFirmata does', async () => {
  const r = await rig();
  await r.host.request([0xf0, 0x6b, 0xf7]);
  const [response] = r.host.sysex(0x6c);
  const pins: number[][] = [[]];
  for (const byte of response.data) {
    if (byte === 0x7f) pins.push([]);
    else pins[pins.length - 1].push(byte);
  }
  pins.pop();
  assert.is(pins.length, 20);
  assert.equal(pins[0], [], 'pin 0 (RX) has no modes');
  // pin 13: INPUT, PULLUP, OUTPUT, SERVO (14 bits), ONEWIRE
  assert.equal(pins[13], [0x00, 1, 0x0b, 1, 0x01, 1, 0x04, 14, 0x07, 1]);
  // pin 3 has PWM at 8 bits
  assert.ok(pins[3].join(',').includes('3,8'));
  // A0 (pin 14): analog at 10 bits
  assert.ok(pins[14].join(',').includes('2,10'));
  // A4/A5 (18, 19) are the I2C pins
  assert.ok(pins[18].join(',').includes('6,1') && pins[19].join(',').includes('6,1'));
  await r.done();
});

test('analog mapping response maps A0-A5 to pins 14-19', async () => {
  const r = await rig();
  await r.host.request([0xf0, 0x69, 0xf7]);
  const [response] = r.host.sysex(0x6a);
  assert.equal(response.data, [...Array(14).fill(0x7f), 0, 1, 2, 3, 4, 5]);
  await r.done();
});

test('the Mega and Nano have their own pin tables', async () => {
  for (const [id, total, analogs] of [
    ['mega', 70, 16],
    ['nano', 22, 8],
  ] as const) {
    const board = createVirtualFirmataBoard({ board: id, world: createWorld() });
    assert.is(board.profile.pins.length, total);
    assert.is(board.profile.pins.filter((p) => p.analogChannel !== undefined).length, analogs);
    await board.close();
  }
  assert.throws(
    () => createVirtualFirmataBoard({ board: 'esp32' as 'uno' }),
    /allowed: uno, nano, mega/,
  );
});

test('SET_PIN_MODE and DIGITAL_MESSAGE drive an output; pinState shows it', async () => {
  const r = await rig();
  await r.host.request([0xf4, 13, 0x01]);
  assert.equal(r.board.pinState('13'), { number: 13, mode: 'OUTPUT', value: 0, reporting: false });
  await r.host.request([0x91, 0x20, 0x00]); // port 1, bit 5 = pin 13
  assert.is(r.board.pinState('D13').value, 1);
  await r.host.request([0x91, 0x00, 0x00]);
  assert.is(r.board.pinState(13).value, 0);
  await r.host.request([0xf5, 13, 1]); // SET_DIGITAL_PIN_VALUE
  assert.is(r.board.pinState('13').value, 1);
  await r.done();
});

test('a mode the pin does not support leaves it unchanged', async () => {
  const r = await rig();
  await r.host.request([0xf4, 13, 0x03]); // PWM on 13: not a PWM pin on the Uno
  assert.is(r.board.pinState('13').mode, 'OUTPUT');
  await r.host.request([0xf4, 0, 0x01]); // pin 0 is the serial RX: no modes
  assert.is(r.board.pinState('0').mode, 'IGNORE');
  await r.done();
});

test('PWM via ANALOG_MESSAGE and EXTENDED_ANALOG; servo config and position', async () => {
  const r = await rig();
  await r.host.request([0xf4, 9, 0x03]);
  await r.host.request([0xe9, 0x7f, 0x00]); // 127 on pin 9
  assert.equal(r.board.pinState('9'), { number: 9, mode: 'PWM', value: 127, reporting: false });
  await r.host.request([0xf0, 0x6f, 9, 0x48, 0x01, 0xf7]); // 200 via EXTENDED_ANALOG
  assert.is(r.board.pinState('9').value, 200);
  await r.host.request([0xf0, 0x70, 10, 0x20, 0x04, 0x60, 0x12, 0xf7]); // servo 544-2400 µs
  assert.is(r.board.pinState('10').mode, 'SERVO');
  await r.host.request([0xea, 90, 0]);
  assert.is(r.board.pinState('10').value, 90);
  await r.done();
});

test('Servo.h holds 12 servos on an Uno; modes StandardFirmata lacks are refused', async () => {
  const r = await rig();
  for (let pin = 2; pin <= 13; pin++) await r.host.request([0xf4, pin, 0x04]);
  assert.is(r.host.sysex(0x71).length, 0);
  await r.host.request([0xf4, 14, 0x04]); // a 13th servo, on A0
  const strings = r.host.sysex(0x71).map((m) => Buffer.from(pairs(m.data)).toString('latin1'));
  assert.equal(strings, ['Max servos attached']);
  await r.host.request([0xee, 90, 0]); // ANALOG_MESSAGE to pin 14: no servo to move
  assert.is(r.board.pinState('A0').value, 0);
  r.host.clear();
  await r.host.request([0xf4, 3, 0x08]); // STEPPER
  assert.equal(
    Buffer.from(pairs(r.host.sysex(0x71)[0].data)).toString('latin1'),
    'Unknown pin mode',
  );
  assert.is(r.board.pinState('3').mode, 'SERVO');
  await r.done();
});

test('PIN_STATE_QUERY answers mode and state', async () => {
  const r = await rig();
  await r.host.request([0xf4, 9, 0x03]);
  await r.host.request([0xe9, 0x48, 0x01]);
  await r.host.request([0xf0, 0x6d, 9, 0xf7]);
  const [response] = r.host.sysex(0x6e);
  assert.equal(response.data, [9, 0x03, 0x48, 0x01]);
  await r.done();
});

test('REPORT_ANALOG sends the value at once, then every sampling interval', async () => {
  const r = await rig({ parts: [{ part: 'tmp36', pin: 'A0' }] });
  r.world.setTemperature(25); // 0.75 V → 0.75 · 1024 / 5 = 153.6 → 154
  await r.host.request([0xc0, 1]);
  assert.equal(r.host.messages.filter(isAnalog(0)), [{ kind: 'analog', channel: 0, value: 154 }]);
  r.host.clear();
  r.clock.advance(19 * 5);
  await r.host.settle();
  assert.is(r.host.messages.filter(isAnalog(0)).length, 5);
  r.host.clear();
  await r.host.request([0xf0, 0x7a, 100, 0, 0xf7]); // SAMPLING_INTERVAL 100 ms
  r.clock.advance(300);
  await r.host.settle();
  assert.is(r.host.messages.filter(isAnalog(0)).length, 3);
  r.world.setTemperature(40); // 0.9 V → 184.32 → 184
  r.clock.advance(100);
  await r.host.settle();
  assert.is((r.host.messages.filter(isAnalog(0)).at(-1) as { value: number }).value, 184);
  r.host.clear();
  await r.host.request([0xc0, 0]);
  r.clock.advance(500);
  await r.host.settle();
  assert.is(r.host.messages.filter(isAnalog(0)).length, 0, 'reporting off');
  await r.done();
});

test('REPORT_DIGITAL reports the port at once and on every change (button press)', async () => {
  const r = await rig({
    parts: [
      { part: 'button', pin: '2', params: { wiring: 'pulldown' } },
      { part: 'pir', pin: '7' },
    ],
  });
  await r.host.request([0xf4, 2, 0x00]);
  await r.host.request([0xf4, 7, 0x00]);
  await r.host.request([0xd0, 1]);
  assert.equal(digitalOf(r.host, 0), [0]);
  r.world.pressButton('D2', 50);
  await r.host.settle();
  assert.equal(digitalOf(r.host, 0), [0, 0b100]);
  r.clock.advance(50);
  await r.host.settle();
  assert.equal(digitalOf(r.host, 0), [0, 0b100, 0]);
  r.world.triggerMotion(7, 1000);
  await r.host.settle();
  assert.equal(digitalOf(r.host, 0).at(-1), 0b10000000);
  await r.done();
});

test('a button wired with a pull-up (the default) reads 1 until pressed', async () => {
  const r = await rig({ parts: [{ part: 'button', pin: '4' }] });
  await r.host.request([0xf4, 4, 0x0b]);
  await r.host.request([0xd0, 1]);
  assert.equal(digitalOf(r.host, 0), [0b10000]);
  r.world.holdButton(4);
  await r.host.settle();
  assert.equal(digitalOf(r.host, 0), [0b10000, 0]);
  assert.is(r.board.pinState('4').value, 0);
  await r.done();
});

test('SYSTEM_RESET turns reporting off and pins back to their defaults', async () => {
  const r = await rig({ parts: [{ part: 'tmp36', pin: 'A0' }] });
  await r.host.request([0xf4, 13, 0x01]);
  await r.host.request([0xf5, 13, 1]);
  await r.host.request([0xc0, 1]);
  await r.host.request([0xff]);
  r.host.clear();
  r.clock.advance(200);
  await r.host.settle();
  assert.is(r.host.messages.length, 0);
  assert.equal(r.board.pinState('13'), { number: 13, mode: 'OUTPUT', value: 0, reporting: false });
  assert.is(r.board.pinState('A0').mode, 'ANALOG');
  await r.done();
});

test('an unknown sysex command is answered with a STRING_DATA message', async () => {
  const r = await rig();
  await r.host.request([0xf0, 0x01, 0x02, 0xf7]);
  const [string] = r.host.sysex(0x71);
  assert.match(Buffer.from(pairs(string.data)).toString('latin1'), /Unhandled sysex command 0x1/);
  await r.done();
});

test('on a Mega, EXTENDED_ANALOG drives PWM pin 44 and A15 reports as channel 15', async () => {
  const r = await rig({ board: 'mega', parts: [{ part: 'lm35', pin: 'A15' }] });
  r.world.setTemperature(50); // 0.5 V → 102
  await r.host.request([0xf4, 44, 0x03]);
  await r.host.request([0xf0, 0x6f, 44, 0x7f, 0x01, 0xf7]); // 255
  assert.equal(r.board.pinState('44'), { number: 44, mode: 'PWM', value: 255, reporting: false });
  await r.host.request([0xcf, 1]);
  assert.equal(r.host.messages.filter(isAnalog(15)), [{ kind: 'analog', channel: 15, value: 102 }]);
  assert.is(r.board.pinState('A15').number, 69);
  await r.done();
});

test.run();
