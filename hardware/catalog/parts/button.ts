/**
 * Push button on a digital input. Wired with a 10 kΩ pull-up from the signal to the supply and
 * the button from the signal to ground (the default, `wiring: "pullup"`): pressed reads LOW.
 * With `wiring: "pulldown"` the resistor goes to ground and the button to the supply: pressed
 * reads HIGH. 10 kΩ is the Arduino "Button" example's value; it keeps the idle current at
 * 0.5 mA at 5 V.
 */
import type { ParamSpec, QuantitySpec, SensorPart } from '../types.js';

const button: QuantitySpec = { quantity: 'button', unit: '', range: [0, 1], boolean: true };

const params: Record<string, ParamSpec> = {
  wiring: {
    type: 'enum',
    default: 'pullup',
    allowed: ['pullup', 'pulldown'],
    description: 'pullup: resistor to the supply, pressed reads LOW',
  },
};

export const buttonPart: SensorPart = {
  kind: 'button',
  name: 'Push button',
  category: 'sensor',
  interface: 'digital',
  datasheet: 'Arduino "Button" example circuit (10 kΩ resistor); no active parts',
  quantities: [button],
  // Debounce window: contacts bounce for a few ms, 50 ms is the Arduino Debounce example's.
  defaultSampleMs: 50,
  minSampleMs: 5,
  needs: { supply: 'logic', supplyVolts: [0, 24], pullup: 10000 },
  params,
  convert(raw, ctx) {
    const high = raw !== 0;
    return { button: ctx.params.wiring === 'pulldown' ? high : !high };
  },
  rawFor(reading, ctx) {
    const pressed = Boolean(reading.button);
    return (ctx.params.wiring === 'pulldown' ? pressed : !pressed) ? 1 : 0;
  },
};
