/** The virtual Espruino's REPL, seen through a serial port on the mock binding. */
import { SerialPortStream } from '@serialport/stream';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { VirtualEspruino } from '../../hardware/virtual/espruino/board.js';
import { VirtualEspruinoPorts } from '../../hardware/virtual/espruino/mock-port.js';

const ports = new VirtualEspruinoPorts();
let board: VirtualEspruino;
let port: SerialPortStream;
let received = '';

async function connect(options = {}): Promise<void> {
  board = new VirtualEspruino(options);
  ports.addBoard('/dev/ttyACM0', board);
  port = new SerialPortStream({ binding: ports, path: '/dev/ttyACM0', baudRate: 9600 });
  port.on('data', (d: Buffer) => {
    received += d.toString('latin1');
  });
  await new Promise((r) => port.on('open', r));
}

/** Sends text and returns what the board printed in answer. */
async function send(text: string, settleMs = 20): Promise<string> {
  received = '';
  port.write(text);
  await new Promise((r) => setTimeout(r, settleMs));
  return received;
}

test.before.each(() => connect());
test.after.each(async () => {
  await new Promise((r) => port.close(r));
  ports.reset();
});

test('echoes input, prints results and the > prompt', async () => {
  assert.is(await send('1+2\n'), '1+2\r\n=3\r\n>');
  assert.is(await send('"a"+"b"\n'), '"a"+"b"\r\n="ab"\r\n>');
});

test('gathers lines until a statement is complete', async () => {
  const out = await send('function f(x) {\n  return x * 2;\n}\nf(21)\n');
  assert.ok(out.includes(':'), 'continuation prompt');
  assert.ok(out.endsWith('=42\r\n>'), out);
});

test('Ctrl-C clears a half-typed line', async () => {
  assert.is(await send('1+\x03'), '1+\r\n>');
  assert.is(await send('5\n'), '5\r\n=5\r\n>');
});

test('echo(0) turns echo, results and prompt off; DLE hides one line', async () => {
  await send('echo(0)\n');
  assert.is(await send('1+2\n'), '');
  assert.is(await send('print(7)\n'), '7\r\n');
  await send('echo(1)\n');
  assert.is(await send('\x10print(8)\n'), '8\r\n>');
});

test('process.env names the interpreter version and board', async () => {
  await send('echo(0)\n');
  assert.is(await send('print(process.env.VERSION, process.env.BOARD)\n'), '2v29 PICO_R1_3\r\n');
  assert.is(await send('print(process.memory().total)\n'), '5100\r\n');
  assert.is(await send('print(E.getSizeOf({a: 1, b: [1, 2]}) > 3)\n'), 'true\r\n');
});

test('reset() clears RAM and prints the banner; flash survives', async () => {
  await send('echo(0)\nvar kept = 1;\nrequire("Storage").write("x", "y");\n');
  const out = await send('reset()\n');
  assert.match(out, /espruino\.com/);
  assert.match(out, /2v29/);
  assert.match(await send('kept\n'), /Uncaught ReferenceError: "kept" is not defined/);
  assert.match(await send('require("Storage").read("x")\n'), /="y"/);
});

test('.bootcde in Storage runs at power-up', async () => {
  await send('require("Storage").write(".bootcde", "print(\\"booted \\" + 1)")\n');
  board.powerCycle();
  await new Promise((r) => setTimeout(r, 150));
  assert.match(board.transcript, /booted 1\r\n>$/);
});

test('save() stores the RAM state and restores it at power-up', async () => {
  await send('var counter = 41;\n');
  assert.match(await send('save()\n'), /Done!/);
  board.powerCycle();
  await new Promise((r) => setTimeout(r, 150));
  assert.match(await send('counter + 1\n'), /=42/);
});

test('refuses syntax the interpreter lacks, in its own words, after running what came before', async () => {
  const out = await send('var before = 1; const { a } = before;\n');
  assert.match(out, /Uncaught SyntaxError: Got '\{' expected ID\r\n at line 1 col 23/);
  assert.match(await send('before\n'), /=1/);
  assert.match(await send('x => x ** 2\n'), /Uncaught SyntaxError: Got '\*\*' expected ID/);
  assert.match(await send('async function f() {}\n'), /Uncaught SyntaxError: Got 'async'/);
  assert.match(await send('new Map()\n'), /Uncaught ReferenceError: "Map" is not defined/);
  assert.match(await send('Array.from([1])\n'), /Uncaught Error: Function "from" not found!/);
});

test('runtime errors are reported as Uncaught', async () => {
  assert.match(await send('nothing.here\n'), /Uncaught ReferenceError: "nothing" is not defined/);
  assert.match(await send('require("MQTT")\n'), /Uncaught Error: Module MQTT not found/);
});

test('stops answering after a configured number of bytes', async () => {
  board.stopAnsweringAfter(4);
  assert.is(await send('1+2\n3+4\n'), '1+2\r\n=3\r\n>');
  assert.is(await send('5\n'), '');
  assert.is(board.state, 'unresponsive');
});

test('resets when the port opens, losing input while it boots', async () => {
  await new Promise((r) => port.close(r));
  ports.reset();
  await connect({ resetOnOpen: true, bootMs: 50 });
  assert.is(await send('1\n', 10), '');
  await new Promise((r) => setTimeout(r, 80));
  assert.match(received, /espruino\.com/);
  assert.match(await send('2\n'), /=2/);
});

test.run();
