/**
 * What the simulated world puts on each input pin of a device, for hosts that have no board
 * model of their own (the plain simulation, the Espruino sandbox): analog pins carry the
 * catalog's inverse conversion (`rawFor`) of the world's temperature and light, as a fraction
 * of the ADC's full scale; digital pins its buttons (per the part's wiring) and motion.
 */
import { findPin } from '../../hardware/boards/index.js';
import { getSensorPart, resolveParams } from '../../hardware/catalog/index.js';
import type { BoardProfile, DeviceConfig } from '../../hardware/config/types.js';
import type { World } from '../../hardware/virtual/world.js';

export interface WorldInputs {
  /** By the board's pin id ("D34", "A0"); also by the config's pin name. */
  analog: Record<string, () => number>;
  digital: Record<string, () => boolean>;
}

export function worldInputs(config: DeviceConfig, board: BoardProfile, world: World): WorldInputs {
  const inputs: WorldInputs = { analog: {}, digital: {} };
  for (const sensor of config.sensors) {
    const profile = sensor.pin ? findPin(board, sensor.pin) : undefined;
    if (!profile || !sensor.pin) continue;
    const pinName = sensor.pin;
    const part = getSensorPart(sensor.part);
    const ctx = {
      adcBits: board.adcBits ?? 10,
      volts: board.adcVolts ?? board.logicVolts,
      params: resolveParams(part, sensor.params),
    };
    const quantity = part.quantities[0]?.quantity;
    const keys = [String(profile.id), pinName];
    if (part.interface === 'analog') {
      const read = () => {
        const value = quantity === 'light' ? world.readLux() : world.readTemperature();
        return (part.rawFor({ [quantity as string]: value }, ctx) as number) / 2 ** ctx.adcBits;
      };
      for (const key of keys) inputs.analog[key] = read;
    } else if (part.interface === 'digital') {
      const read = () => {
        const active = quantity === 'motion' ? world.isMotion(pinName) : world.isPressed(pinName);
        return (part.rawFor({ [quantity as string]: active }, ctx) as number) !== 0;
      };
      for (const key of keys) inputs.digital[key] = read;
    }
  }
  return inputs;
}
