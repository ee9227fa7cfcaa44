import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import {
  type Bme280Calibration,
  bme280RawFor,
  type ConvertContext,
  compensate,
  encodeCalibration,
  encodeData,
  getActuatorPart,
  getPart,
  getSensorPart,
  listParts,
  parseCalibration,
  parseData,
  resolveParams,
  SAMPLE_CALIBRATION,
} from '../../hardware/catalog/index.js';

const test = suite('sensor and actuator catalog');

const uno = (kind: string, params = {}): ConvertContext => ({
  adcBits: 10,
  volts: 5,
  params: resolveParams(getSensorPart(kind), params),
});
const esp32 = (kind: string): ConvertContext => ({
  adcBits: 12,
  volts: 3.3,
  params: resolveParams(getSensorPart(kind)),
});

/** [raw, expected, context]: expected values worked out by hand from the cited formula. */
function table(
  kind: string,
  quantity: string,
  rows: [number, number | boolean, ConvertContext?][],
) {
  for (const [raw, expected, ctx] of rows) {
    const reading = getSensorPart(kind).convert(raw, ctx ?? uno(kind));
    assert.is(reading[quantity as 'temperature'], expected, `${kind} raw ${raw}`);
  }
}

test('every part the brief lists is in the catalog, with interface, units, range and interval', () => {
  const kinds = listParts()
    .map((p) => p.kind)
    .sort();
  assert.equal(kinds, [
    'bme280',
    'button',
    'ds18b20',
    'led',
    'lm35',
    'ntc',
    'photoresistor',
    'pir',
    'pwm',
    'relay',
    'servo',
    'tmp36',
  ]);
  for (const part of listParts()) {
    assert.ok(part.datasheet.length > 5, `${part.kind} cites its source`);
    if (part.category === 'sensor') {
      assert.ok(part.defaultSampleMs >= part.minSampleMs, part.kind);
      for (const q of part.quantities) assert.ok(q.range[0] < q.range[1], `${part.kind} range`);
    }
  }
  assert.throws(() => getPart('dht22'), /unknown part "dht22" \(known: tmp36, .*servo\)/);
  assert.throws(() => getSensorPart('led'), /led is an actuator, not a sensor/);
});

test('TMP36: 10 mV/°C with 500 mV offset (TMP36 datasheet Table 4), V = ADC·Vref/1024', () => {
  table('tmp36', 'temperature', [
    [154, 25.2], // 0.752 V
    [102, -0.2], // 0.498 V
    [205, 50.1], // 1.001 V
    [20, -40.23], // 0.098 V, the bottom of the specified range
    [358, 124.8], // 1.748 V, the top
    [931, 25.01, esp32('tmp36')], // 12-bit ADC at 3.3 V: 0.750 V = 25 °C (Table 4's 750 mV)
  ]);
});

test('LM35: 10 mV/°C from 0 mV at 0 °C (LM35 datasheet §1)', () => {
  table('lm35', 'temperature', [
    [51, 24.9],
    [4, 1.95],
    [307, 149.9],
  ]);
});

test('NTC: B-value model (Vishay NTCLE100E3), 10 kΩ at 25 °C, B 3950, 10 kΩ series', () => {
  table('ntc', 'temperature', [
    [512, 25], // half the supply: R = 10 kΩ = R25
    [270, 50.05], // R = 3581 Ω
    [789, 0.03], // R = 33.6 kΩ, R(0 °C) for B 3950
    [900, -13.8],
  ]);
  // Another thermistor: R25 = 100 kΩ with a 100 kΩ series resistor reads 25 °C at mid-scale too.
  table('ntc', 'temperature', [[512, 25, uno('ntc', { r0: 100000, seriesResistor: 100000 })]]);
});

test('Photoresistor: GL5528 γ model (10 kΩ at 10 lx, γ 0.6), clamped to its range', () => {
  table('photoresistor', 'light', [
    [512, 10], // R = 10 kΩ = R10
    [100, 0.2], // R = 92 kΩ: dusk
    [900, 272.1], // R = 1.38 kΩ
    [1023, 100000], // R ≈ 10 Ω: beyond the model, clamped to the range top
    [0, 0], // open circuit: dark
  ]);
});

test('DS18B20: temperature register to °C, the datasheet Table 1 rows', () => {
  table('ds18b20', 'temperature', [
    [0x07d0, 125],
    [0x0550, 85],
    [0x0191, 25.0625],
    [0x00a2, 10.125],
    [0x0008, 0.5],
    [0x0000, 0],
    [0xfff8, -0.5],
    [0xff5e, -10.125],
    [0xfe6f, -25.0625],
    [0xfc90, -55],
  ]);
  assert.is(getSensorPart('ds18b20').needs.pullup, 4700);
  assert.is(getSensorPart('ds18b20').minSampleMs, 750);
});

test('button (pull-up wiring reads LOW when pressed) and PIR (HIGH on motion)', () => {
  table('button', 'button', [
    [0, true],
    [1, false],
  ]);
  table('button', 'button', [
    [1, true, uno('button', { wiring: 'pulldown' })],
    [0, false, uno('button', { wiring: 'pulldown' })],
  ]);
  table('pir', 'motion', [
    [1, true],
    [0, false],
  ]);
});

test('analog parts: rawFor inverts convert to within one ADC step', () => {
  const cases: [string, string, number][] = [
    ['tmp36', 'temperature', 21.5],
    ['lm35', 'temperature', 30],
    ['ntc', 'temperature', 18],
    ['photoresistor', 'light', 300],
  ];
  for (const [kind, quantity, value] of cases) {
    const part = getSensorPart(kind);
    const ctx = uno(kind);
    const raw = part.rawFor({ [quantity]: value }, ctx) as number;
    const back = part.convert(raw, ctx)[quantity as 'temperature'] as number;
    const step = Math.abs((part.convert(raw + 1, ctx)[quantity as 'temperature'] as number) - back);
    assert.ok(
      Math.abs(back - value) <= step,
      `${kind}: ${value} → ${raw} → ${back} (step ${step})`,
    );
  }
});

// BMP280 datasheet §3.12 worked example: the same temperature and pressure formulas as the BME280.
test('BME280 compensation: the datasheet example, adc_T 519888 → 25.08 °C, adc_P 415148 → 100653.27 Pa', () => {
  const c = compensate({ temperature: 519888, pressure: 415148, humidity: 0 }, SAMPLE_CALIBRATION);
  assert.is(c.tFine, 128422);
  assert.is(Math.round(c.temperature * 100) / 100, 25.08);
  assert.ok(Math.abs(c.pressure - 100653.27) < 0.05, String(c.pressure));
});

/** The datasheet's §4.2.3 integer humidity formula, transcribed as an independent reference. */
function humidityInt32(adcH: number, tFine: number, c: Bme280Calibration): number {
  let v = tFine - 76800;
  v =
    (((adcH << 14) - (c.H4 << 20) - c.H5 * v + 16384) >> 15) *
    (((((((v * c.H6) >> 10) * (((v * c.H3) >> 11) + 32768)) >> 10) + 2097152) * c.H2 + 8192) >> 14);
  v = v - (((((v >> 15) * (v >> 15)) >> 7) * c.H1) >> 4);
  v = Math.min(419430400, Math.max(0, v));
  return (v >> 12) / 1024;
}

test('BME280 humidity: the double formula (§8.1) agrees with the integer one (§4.2.3)', () => {
  for (const adcH of [20000, 26000, 30000, 34000]) {
    const c = compensate(
      { temperature: 519888, pressure: 415148, humidity: adcH },
      SAMPLE_CALIBRATION,
    );
    const reference = humidityInt32(adcH, c.tFine, SAMPLE_CALIBRATION);
    assert.ok(
      Math.abs(c.humidity - reference) < 0.05,
      `adc_H ${adcH}: ${c.humidity} vs ${reference}`,
    );
  }
});

test('BME280 registers: calibration and data bytes round-trip; the part converts to °C, %, hPa', () => {
  const { block1, block2 } = encodeCalibration(SAMPLE_CALIBRATION);
  assert.is(block1.length, 26);
  assert.is(block2.length, 7);
  assert.equal(block1.slice(0, 2), [27504 & 0xff, 27504 >> 8], 'dig_T1 little-endian at 0x88');
  assert.equal(parseCalibration(block1, block2), SAMPLE_CALIBRATION);
  const negative = { ...SAMPLE_CALIBRATION, H4: -300, H5: -2, H6: -5 };
  const enc = encodeCalibration(negative);
  assert.equal(
    parseCalibration(enc.block1, enc.block2),
    negative,
    'signed 12-bit H4/H5 and 8-bit H6',
  );
  const raw = bme280RawFor(
    { temperature: 21.5, humidity: 45, pressure: 1013.25 },
    SAMPLE_CALIBRATION,
  );
  assert.equal(parseData(encodeData(raw.adc)), raw.adc);
  const reading = getSensorPart('bme280').convert(raw, uno('bme280'));
  assert.ok(Math.abs((reading.temperature as number) - 21.5) < 0.01, JSON.stringify(reading));
  assert.ok(Math.abs((reading.humidity as number) - 45) < 0.05, JSON.stringify(reading));
  assert.ok(Math.abs((reading.pressure as number) - 1013.25) < 0.02, JSON.stringify(reading));
  assert.equal(getSensorPart('bme280').i2cAddresses, [0x76, 0x77]);
});

test('actuators accept their values and name what is allowed otherwise', () => {
  const led = getActuatorPart('led');
  assert.is(led.validateValue(true), undefined);
  assert.is(led.validateValue(0), undefined);
  assert.is(
    led.validateValue('on'),
    'led value "on" is not allowed (allowed: true, false, 1 or 0)',
  );
  assert.is(
    getActuatorPart('relay').validateValue(2),
    'relay value 2 is not allowed (allowed: true, false, 1 or 0)',
  );
  const pwm = getActuatorPart('pwm');
  assert.is(pwm.validateValue(128), undefined);
  assert.is(pwm.validateValue(256), 'pwm value 256 is out of range (allowed: 0 to 255)');
  assert.is(pwm.validateValue(1.5), 'pwm value 1.5 is not an integer (allowed: 0 to 255)');
  const servo = getActuatorPart('servo');
  assert.is(servo.validateValue(90), undefined);
  assert.is(servo.validateValue(181), 'servo value 181 is out of range (allowed: 0 to 180°)');
  assert.is(
    servo.validateValue(150, { min: 20, max: 120 }),
    'servo value 150 is out of range (allowed: 20 to 120°)',
  );
});

test.run();
