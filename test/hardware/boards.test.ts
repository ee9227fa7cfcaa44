import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import {
  describePinNames,
  findPin,
  getBoard,
  listBoards,
  pinsWith,
  validateBoardProfile,
} from '../../hardware/boards/index.js';

const test = suite('board profiles');

test('every board of the brief is there, each with a runtime target', () => {
  const ids = listBoards()
    .map((b) => b.id)
    .sort();
  assert.equal(ids, [
    'esp32',
    'esp8266',
    'espruino-wifi',
    'mega',
    'nano',
    'pico',
    'rpi3bp',
    'rpi4',
    'rpi5',
    'rpizero2w',
    'uno',
  ]);
  const target = Object.fromEntries(listBoards().map((b) => [b.id, b.target]));
  assert.is(target.rpi4, 'node-raspi');
  assert.is(target.uno, 'node-firmata');
  assert.is(target.mega, 'node-firmata');
  assert.is(target.esp32, 'espruino');
  assert.is(target.pico, 'espruino');
});

test('every shipped profile passes its own validation', () => {
  for (const board of listBoards()) assert.equal(validateBoardProfile(board), [], board.id);
});

test('Uno: StandardFirmata numbering and capabilities (Boards.h, Uno R3 pinout)', () => {
  const uno = getBoard('uno');
  assert.is(describePinNames(pinsWith(uno, 'pwm')), '3, 5, 6, 9-11');
  assert.is(describePinNames(pinsWith(uno, 'analog-in')), 'A0-A5');
  assert.is(describePinNames(pinsWith(uno, 'servo')), '2-13');
  const a0 = findPin(uno, 'A0');
  assert.is(a0?.id, 14);
  assert.is(a0?.analogChannel, 0);
  assert.is(findPin(uno, 'A4')?.capabilities.includes('i2c-sda'), true);
  assert.is(findPin(uno, 'A5')?.capabilities.includes('i2c-scl'), true);
  assert.equal(findPin(uno, '0')?.capabilities, ['uart-rx'], 'pin 0 is the Firmata serial link');
  assert.is(uno.adcBits, 10);
});

test('Nano has A6/A7 analog only; Mega has 16 analog inputs and PWM on 2-13, 44-46', () => {
  const nano = getBoard('nano');
  assert.equal(findPin(nano, 'A7')?.capabilities, ['analog-in']);
  assert.is(findPin(nano, 'A7')?.id, 21);
  const mega = getBoard('mega');
  assert.is(describePinNames(pinsWith(mega, 'pwm')), '2-13, 44-46');
  assert.is(findPin(mega, 'A15')?.id, 69);
  assert.equal(mega.i2c, [{ sda: '20', scl: '21' }]);
});

test('Raspberry Pi: 40-pin header, no ADC, I2C bus 1 on GPIO2/3, 1-Wire on GPIO4', () => {
  for (const id of ['rpi4', 'rpi5', 'rpi3bp', 'rpizero2w']) {
    const pi = getBoard(id);
    assert.is(pi.adcBits, undefined, id);
    assert.is(pinsWith(pi, 'analog-in').length, 0, id);
    assert.equal(pi.i2c, [{ sda: 'GPIO2', scl: 'GPIO3', bus: 1, pullupOhms: 1800 }], id);
    assert.equal(pi.onewire, ['GPIO4'], id);
    assert.is(findPin(pi, 'GPIO4')?.header, '7', id);
    assert.is(findPin(pi, 'P1-12')?.name, 'GPIO18', id);
    assert.is(pi.layout?.left.length, 20, id);
    assert.is(pi.layout?.right.length, 20, id);
  }
});

test('Espruino boards state their memory in variables (Espruino boards/*.py)', () => {
  assert.is(getBoard('pico').espruinoVars, 5100);
  assert.is(getBoard('esp8266').espruinoVars, 1700);
  assert.is(getBoard('esp32').espruinoVars, 16383);
  assert.is(getBoard('espruino-wifi').espruinoVars, 7148);
  assert.is(getBoard('esp32').wifi, true);
  assert.is(getBoard('pico').wifi, undefined);
});

test('ESP32 offers analog only on ADC1; NodeMCU labels map to GPIO numbers', () => {
  const esp32 = getBoard('esp32');
  assert.is(describePinNames(pinsWith(esp32, 'analog-in')), 'D32-D36, D39');
  assert.is(findPin(esp32, 'GPIO21')?.name, 'D21');
  const nodemcu = getBoard('esp8266');
  assert.is(findPin(nodemcu, 'D1')?.id, 'D5', 'NodeMCU D1 is GPIO5');
  assert.is(findPin(nodemcu, 'gpio14')?.name, 'D5');
});

test('getBoard names the known ids when the id is unknown', () => {
  assert.throws(
    () => getBoard('arduino'),
    /unknown board "arduino" \(known: esp32, esp8266, .*uno\)/,
  );
});

test('a broken profile is refused field by field', () => {
  const uno = structuredClone(getBoard('uno'));
  uno.i2c = [{ sda: '7', scl: 'A9' }];
  uno.pins.push({ name: 'A0b', id: 99, capabilities: ['digital-in'], aliases: ['a0'] });
  delete (uno as { adcBits?: number }).adcBits;
  const problems = validateBoardProfile(uno);
  const text = problems.map((p) => `${p.path}: ${p.message}`);
  assert.ok(text.includes('i2c[0].sda: pin 7 lacks the i2c-sda capability'), text.join('\n'));
  assert.ok(
    text.includes('i2c[0].scl: names pin A9, which the board does not have'),
    text.join('\n'),
  );
  assert.ok(
    text.some((t) => /name a0 is also used by pin A0/.test(t)),
    text.join('\n'),
  );
  assert.ok(text.includes('adcBits: is missing: the board has analog-in pins'), text.join('\n'));
  assert.ok(
    text.some((t) => /pin A0b is missing from layout/.test(t)),
    text.join('\n'),
  );
  const schema = validateBoardProfile({
    id: 'X',
    name: 'x',
    target: 'arduino',
    logicVolts: 5,
    pins: [],
    power: { gnd: [] },
  });
  const paths = schema.map((p) => p.path);
  for (const p of ['id', 'target', 'pins', 'power.gnd'])
    assert.ok(paths.includes(p), `${p} in ${paths.join(', ')}`);
});

test.run();
