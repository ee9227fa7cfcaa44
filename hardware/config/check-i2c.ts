/** I2C parts: a valid address for the part, a bus the board has, no two parts at one address. */
import { findPin } from '../boards/index.js';
import type { AnySensorPart } from '../catalog/types.js';
import { type CheckContext as Ctx, hex } from './check-context.js';
import { show } from './problems.js';
import type { SensorConfig } from './types.js';

export function checkI2cSensor(
  ctx: Ctx,
  sensor: SensorConfig,
  part: AnySensorPart,
  path: string,
  who: string,
): void {
  const addresses = part.i2cAddresses ?? [];
  const address = sensor.address ?? addresses[0];
  if (sensor.address !== undefined && !addresses.includes(sensor.address)) {
    ctx.problems.push({
      path: `${path}.address`,
      message: `is ${hex(sensor.address)}: ${part.kind} answers only on ${addresses.map(hex).join(' or ')}`,
    });
  }
  const board = ctx.board;
  if (!board) return;
  const buses = board.i2c ?? [];
  if (sensor.pin !== undefined) {
    const bus = buses[0];
    ctx.problems.push({
      path: `${path}.pin`,
      message: `is ${show(sensor.pin)}: ${part.kind} is an I2C part on the bus pins${bus ? ` (SDA ${bus.sda}, SCL ${bus.scl})` : ''}; leave pin out`,
    });
  }
  const index =
    sensor.bus === undefined ? 0 : buses.findIndex((b, i) => (b.bus ?? i) === sensor.bus);
  const bus = buses[index];
  if (!bus) {
    const known = buses.map((b, i) => b.bus ?? i);
    ctx.problems.push({
      path: sensor.bus === undefined ? `${path}.part` : `${path}.bus`,
      message:
        known.length === 0
          ? `${board.name} has no I2C bus`
          : `is ${String(sensor.bus)}: ${board.name} has I2C bus ${known.join(', ')}`,
    });
    return;
  }
  const busName = `I2C bus ${bus.bus ?? index}`;
  for (const [line, name] of [
    ['SDA', bus.sda],
    ['SCL', bus.scl],
  ] as const) {
    const pin = findPin(board, name);
    if (pin)
      ctx.claims.claim(
        pin,
        `${busName} (${line}) of ${who}`,
        'i2c',
        path,
        `its ${busName} ${line} pin ${pin.name}`,
      );
  }
  if (address === undefined) return;
  const key = `${busName}@${address}`;
  const taken = ctx.i2cAddresses.get(key);
  if (taken && taken !== who) {
    ctx.problems.push({
      path: `${path}.address`,
      message: `is ${hex(address)}${sensor.address === undefined ? ` (${part.kind}'s default)` : ''}: ${busName} already has ${taken} at ${hex(address)} (give one part the other address${addresses.length > 1 ? `, ${addresses.map(hex).join(' or ')}` : ''})`,
    });
  } else ctx.i2cAddresses.set(key, who);
}
