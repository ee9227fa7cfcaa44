/**
 * ADC counts to volts and back. ATmega328P datasheet §24.9 "ADC Conversion Result":
 * ADC = Vin · 1024 / Vref, so Vin = ADC · Vref / 2^bits (the ESP32 and STM32 ADCs follow the same
 * form with 4096). Counts are clamped to the converter's range on the way back.
 */
import type { ConvertContext, ParamSpec, PartParams, QuantitySpec } from './types.js';

export function countsToVolts(raw: number, ctx: ConvertContext): number {
  return (raw * ctx.volts) / 2 ** ctx.adcBits;
}

export function voltsToCounts(volts: number, ctx: ConvertContext): number {
  const full = 2 ** ctx.adcBits;
  return Math.min(full - 1, Math.max(0, Math.round((volts * full) / ctx.volts)));
}

/** Fraction of full scale, 0 ≤ ratio < 1: what a ratiometric divider gives. */
export function countsToRatio(raw: number, ctx: ConvertContext): number {
  return raw / 2 ** ctx.adcBits;
}

export function ratioToCounts(ratio: number, ctx: ConvertContext): number {
  const full = 2 ** ctx.adcBits;
  return Math.min(full - 1, Math.max(0, Math.round(ratio * full)));
}

export function round(value: number, spec: QuantitySpec): number {
  const f = 10 ** (spec.decimals ?? 2);
  return Math.round(value * f) / f;
}

export function clamp(value: number, [min, max]: [number, number]): number {
  return Math.min(max, Math.max(min, value));
}

export function numberParam(
  params: PartParams,
  key: string,
  spec: Record<string, ParamSpec>,
): number {
  const value = params[key] ?? spec[key]?.default;
  if (typeof value !== 'number')
    throw new Error(`param ${key} must be a number, got ${String(value)}`);
  return value;
}

export const KELVIN = 273.15;
