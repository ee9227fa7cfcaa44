/**
 * Photoresistor (GL5528 LDR) in a divider: the LDR from the supply to the signal, the fixed
 * resistor from the signal to ground, so more light gives a higher reading:
 * ratio = Rfixed / (Rldr + Rfixed), Rldr = Rfixed · (1 − ratio) / ratio.
 * GL5528 datasheet (Senba Optical): light resistance at 10 lx 10–20 kΩ, γ(10→100 lx) = 0.6,
 * dark resistance 1 MΩ. The γ model: R = R10 · (E / 10 lx)^−γ, so E = 10 · (R / R10)^(−1/γ).
 * An uncalibrated LDR is good to a factor of two: the reading is an estimate of lux.
 */
import { clamp, countsToRatio, numberParam, ratioToCounts, round } from '../analog.js';
import type { ParamSpec, QuantitySpec, SensorPart } from '../types.js';

const light: QuantitySpec = { quantity: 'light', unit: 'lx', range: [0, 100000], decimals: 1 };

const params: Record<string, ParamSpec> = {
  r10: {
    type: 'number',
    default: 10000,
    min: 100,
    max: 1e6,
    unit: 'Ω',
    description: 'resistance at 10 lx',
  },
  gamma: {
    type: 'number',
    default: 0.6,
    min: 0.1,
    max: 2,
    description: 'slope of log R against log lux',
  },
  seriesResistor: {
    type: 'number',
    default: 10000,
    min: 100,
    max: 1e6,
    unit: 'Ω',
    description: 'fixed divider resistor, signal to ground',
  },
};

export const photoresistor: SensorPart = {
  kind: 'photoresistor',
  name: 'Photoresistor (GL5528 LDR) in a voltage divider',
  category: 'sensor',
  interface: 'analog',
  datasheet: 'GL5528 photoresistor datasheet (Senba), electrical characteristics table',
  quantities: [light],
  defaultSampleMs: 1000,
  minSampleMs: 10,
  needs: { supply: 'logic', supplyVolts: [0, 150], divider: 10000 },
  params,
  convert(raw, ctx) {
    const p = (key: string) => numberParam(ctx.params, key, params);
    const ratio = countsToRatio(raw, ctx);
    if (ratio <= 0) return { light: 0 };
    const r = (p('seriesResistor') * (1 - ratio)) / ratio;
    if (r <= 0) return { light: light.range[1] };
    return { light: round(clamp(10 * (r / p('r10')) ** (-1 / p('gamma')), light.range), light) };
  },
  rawFor(reading, ctx) {
    const p = (key: string) => numberParam(ctx.params, key, params);
    const lux = Number(reading.light);
    if (lux <= 0) return 0;
    const r = p('r10') * (lux / 10) ** -p('gamma');
    return ratioToCounts(p('seriesResistor') / (r + p('seriesResistor')), ctx);
  },
};
