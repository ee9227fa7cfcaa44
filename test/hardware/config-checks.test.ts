import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { expectOne, problems, uno } from './config-fixtures.js';

const test = suite('device config checks');

test('wiring mistake: two parts on one pin', () => {
  expectOne(
    uno({
      sensors: [{ id: 'door', part: 'button', pin: '2' }],
      actuators: [{ id: 'lamp', part: 'led', pin: 'D2' }],
    }),
    'actuators[0].pin: pin 2 is already used by sensors[0] (door, button)',
  );
});

test('wiring mistake: an I2C part takes the bus pins from another part', () => {
  expectOne(
    uno({
      sensors: [
        { id: 'env', part: 'bme280' },
        { id: 'light', part: 'photoresistor', pin: 'A4' },
      ],
    }),
    'sensors[1].pin: pin A4 is already used by I2C bus 0 (SDA) of sensors[0] (env, bme280)',
  );
});

test('two DS18B20 may share one 1-Wire pin (each has its ROM code)', () => {
  const config = {
    id: 'pi',
    board: 'rpi4',
    sensors: [
      { id: 'a', part: 'ds18b20', pin: 'GPIO4' },
      { id: 'b', part: 'ds18b20', pin: 'GPIO4' },
    ],
    actuators: [],
  };
  assert.equal(problems(config), []);
});

test('wiring mistake: an analog sensor on a pin without ADC (and on a board without one)', () => {
  expectOne(
    uno({ sensors: [{ id: 'temp', part: 'tmp36', pin: '7' }] }),
    'sensors[0].pin: is "7": tmp36 (an analog sensor) needs an analog input (ADC), but pin 7 of Arduino Uno R3 cannot (analog-in pins: A0-A5)',
  );
  expectOne(
    {
      id: 'pi',
      board: 'rpi4',
      sensors: [{ id: 'light', part: 'photoresistor', pin: 'GPIO17' }],
      actuators: [],
    },
    'sensors[0].pin: is "GPIO17": photoresistor (an analog sensor) needs an analog input (ADC), but Raspberry Pi 4 Model B has no pin that can read analog (no ADC: use an I2C ADC such as the ADS1115)',
  );
});

test('wiring mistake: PWM and servo on pins without PWM', () => {
  expectOne(
    uno({ actuators: [{ id: 'dimmer', part: 'pwm', pin: '7' }] }),
    'actuators[0].pin: is "7": pwm needs a PWM pin, but pin 7 of Arduino Uno R3 cannot (pwm pins: 3, 5, 6, 9-11)',
  );
  expectOne(
    {
      id: 'pi',
      board: 'rpi4',
      sensors: [],
      actuators: [{ id: 'vent', part: 'servo', pin: 'GPIO17' }],
    },
    'actuators[0].pin: is "GPIO17": servo needs a servo-capable (PWM) pin, but pin GPIO17 of Raspberry Pi 4 Model B cannot (servo pins: GPIO12, GPIO13, GPIO18, GPIO19)',
  );
});

test('wiring mistake: an I2C address clash, and an address the part does not answer on', () => {
  expectOne(
    uno({
      sensors: [
        { id: 'in', part: 'bme280', address: 0x76 },
        { id: 'out', part: 'bme280' },
      ],
    }),
    "sensors[1].address: is 0x76 (bme280's default): I2C bus 0 already has sensors[0] (in, bme280) at 0x76 (give one part the other address, 0x76 or 0x77)",
  );
  expectOne(
    uno({ sensors: [{ id: 'env', part: 'bme280', address: 0x40 }] }),
    'sensors[0].address: is 0x40: bme280 answers only on 0x76 or 0x77',
  );
});

test('wiring mistake: a pin the board does not have', () => {
  expectOne(
    uno({ actuators: [{ id: 'lamp', part: 'led', pin: 'D99' }] }),
    'actuators[0].pin: is "D99": Arduino Uno R3 has no such pin (its pins: 0-13, A0-A5)',
  );
});

test('unknown part, a part of the wrong kind, and an unknown board', () => {
  expectOne(
    uno({ sensors: [{ id: 'temp', part: 'tmp37', pin: 'A0' }] }),
    'sensors[0].part: is "tmp37": not a known part (sensors: tmp36, lm35, ntc, photoresistor, button, pir, ds18b20, bme280)',
  );
  expectOne(
    uno({ actuators: [{ id: 'x', part: 'tmp36', pin: 'A0' }] }),
    'actuators[0].part: is "tmp36": a sensor, not an actuator (actuators: led, relay, pwm, servo)',
  );
  expectOne(
    uno({ board: 'arduino-uno' }),
    'board: is "arduino-uno": not a known board (known: esp32, esp8266, espruino-wifi, mega, nano, pico, rpi3bp, rpi4, rpi5, rpizero2w, uno)',
  );
});

test('Wi-Fi missing on an ESP board; a broker is needed by the espruino target', () => {
  const found = problems({ id: 'porch', board: 'esp8266', sensors: [], actuators: [] });
  assert.equal(found, [
    'network.wifi: is missing: ESP8266 NodeMCU v2/v3 (ESP-12E) joins Wi-Fi itself, so the config needs network.wifi {"ssid", "password"}',
    'broker: is missing: ESP8266 NodeMCU v2/v3 (ESP-12E) runs the espruino target, which connects to MQTT itself (add broker {"url": "mqtt://host:1883"})',
  ]);
  expectOne(
    {
      id: 'porch',
      board: 'esp32',
      sensors: [],
      actuators: [],
      network: { wifi: { ssid: 'home', password: 'short' } },
      broker: { url: 'mqtt://10.0.0.2:1883' },
    },
    'network.wifi.password: has 5 characters: a WPA2 passphrase has 8 to 63 (or leave it empty for an open network)',
  );
});

test('bad intervals: min > max, sampling slower than reporting, faster than the part can', () => {
  expectOne(
    uno({ reporting: { minReportMs: 60000, maxReportMs: 10000 } }),
    'reporting.minReportMs: is 60000, more than reporting.maxReportMs 10000 (allowed: min ≤ max)',
  );
  expectOne(
    uno({ sensors: [{ id: 't', part: 'tmp36', pin: 'A0', minReportMs: 5000, maxReportMs: 2000 }] }),
    'sensors[0].minReportMs: makes minReportMs 5000 more than maxReportMs 2000 (allowed: min ≤ max)',
  );
  expectOne(
    uno({ sensors: [{ id: 't', part: 'tmp36', pin: 'A0', sampleMs: 120000 }] }),
    'sensors[0].sampleMs: is 120000, longer than maxReportMs 60000: it cannot report more often than it samples (allowed: sampleMs ≤ maxReportMs)',
  );
  expectOne(
    {
      id: 'pi',
      board: 'rpi4',
      sensors: [{ id: 'w', part: 'ds18b20', pin: 'GPIO4', sampleMs: 100 }],
      actuators: [],
    },
    'sensors[0].sampleMs: is 100: ds18b20 takes up to 750 ms per reading (allowed: 750 or more)',
  );
});

test('field problems name the field, the value and what is allowed; all are reported at once', () => {
  const found = problems({
    id: 'Bench 1',
    board: 'uno',
    sensors: [{ id: 'temp', part: 'tmp36', pin: 'A0', sampleMs: 'fast', colour: 'red' }],
    actuators: [{ id: 'lamp', part: 'led' }],
    bufferSize: 0,
    broker: { url: 'http://example.com' },
  });
  assert.equal(found, [
    'id: is "Bench 1", which does not match ^[a-z0-9][a-z0-9-]{0,62}$ (lower-case letters, digits and -, up to 63 characters)',
    'sensors[0].colour: is not a known field (allowed here: id, part, pin, address, bus, sampleMs, deadband, minReportMs, maxReportMs, params)',
    'sensors[0].sampleMs: is "fast", expected integer',
    'actuators[0].pin: is missing (required)',
    'bufferSize: is 0, must be >= 1',
    'broker.url: is "http://example.com", which does not match ^(mqtt|mqtts|ws|wss|tcp)://[^\\s/:]+(:\\d{1,5})?(/\\S*)?$ (mqtt://host:port, mqtts://, ws://, wss:// or tcp://)',
  ]);
});

test('cross-field problems are all reported at once too', () => {
  const found = problems(
    uno({
      sensors: [
        { id: 'temp', part: 'tmp36', pin: '7' },
        { id: 'temp', part: 'ntc', pin: 'A0', params: { beta: 5 } },
      ],
      actuators: [{ id: 'vent', part: 'servo', pin: '9', initial: 200 }],
    }),
  );
  assert.equal(found, [
    'sensors[1].id: is "temp", already the id of sensors[0] (ids must be unique)',
    'sensors[0].pin: is "7": tmp36 (an analog sensor) needs an analog input (ADC), but pin 7 of Arduino Uno R3 cannot (analog-in pins: A0-A5)',
    'sensors[1].params.beta: is 5, allowed: a number from 1000 to 10000 K (B value)',
    'actuators[0].initial: servo value 200 is out of range (allowed: 0 to 180°)',
  ]);
});

test.run();
