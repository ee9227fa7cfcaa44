/**
 * NTC thermistor in a divider: the fixed resistor from the supply to the signal, the thermistor
 * from the signal to ground, so Vout/Vref = Rntc / (Rseries + Rntc) and
 * Rntc = Rseries · ratio / (1 − ratio).
 * Temperature from the B-value (beta) model, Vishay NTCLE100E3 datasheet, "Formulas":
 * R(T) = R25 · exp(B · (1/T − 1/T25)), i.e. 1/T = 1/T25 + ln(R/R25) / B (kelvin).
 * Defaults: the common 10 kΩ at 25 °C probe with B = 3950 K; set params for another part.
 */
import { countsToRatio, KELVIN, numberParam, ratioToCounts, round } from '../analog.js';
import type { ParamSpec, QuantitySpec, SensorPart } from '../types.js';

const temperature: QuantitySpec = {
  quantity: 'temperature',
  unit: '°C',
  range: [-40, 125],
  decimals: 2,
};

const params: Record<string, ParamSpec> = {
  beta: { type: 'number', default: 3950, min: 1000, max: 10000, unit: 'K', description: 'B value' },
  r0: {
    type: 'number',
    default: 10000,
    min: 100,
    max: 1e6,
    unit: 'Ω',
    description: 'resistance at t0',
  },
  t0: {
    type: 'number',
    default: 25,
    min: -50,
    max: 150,
    unit: '°C',
    description: 'reference temperature',
  },
  seriesResistor: {
    type: 'number',
    default: 10000,
    min: 100,
    max: 1e6,
    unit: 'Ω',
    description: 'fixed divider resistor, supply to signal',
  },
};

export const ntc: SensorPart = {
  kind: 'ntc',
  name: 'NTC thermistor (10 kΩ, B 3950) in a voltage divider',
  category: 'sensor',
  interface: 'analog',
  datasheet: 'Vishay NTCLE100E3, "Formulas" (B-value model)',
  quantities: [temperature],
  defaultSampleMs: 1000,
  minSampleMs: 10,
  needs: { supply: 'logic', supplyVolts: [0, 5.5], divider: 10000 },
  params,
  convert(raw, ctx) {
    const p = (key: string) => numberParam(ctx.params, key, params);
    const ratio = countsToRatio(raw, ctx);
    if (ratio <= 0) return { temperature: temperature.range[1] }; // shorted thermistor: hottest
    if (ratio >= 1) return { temperature: temperature.range[0] };
    const r = (p('seriesResistor') * ratio) / (1 - ratio);
    const inverseT = 1 / (p('t0') + KELVIN) + Math.log(r / p('r0')) / p('beta');
    return { temperature: round(1 / inverseT - KELVIN, temperature) };
  },
  rawFor(reading, ctx) {
    const p = (key: string) => numberParam(ctx.params, key, params);
    const t = Number(reading.temperature) + KELVIN;
    const r = p('r0') * Math.exp(p('beta') * (1 / t - 1 / (p('t0') + KELVIN)));
    return ratioToCounts(r / (p('seriesResistor') + r), ctx);
  },
};
