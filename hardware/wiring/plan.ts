/**
 * From a (valid) device config to what the diagram shows: each part's circuit with its board
 * pins resolved to the names on the board's header, and which header pin feeds each rail.
 */
import { findPin, getBoard } from '../boards/index.js';
import { getPart, resolveParams } from '../catalog/index.js';
import type { BoardProfile, DeviceConfig } from '../config/types.js';
import { type Circuit, circuitFor } from './circuits.js';

export type Rail = 'GND' | '3V3' | '5V';

export interface PartPlan {
  /** `sensors[0]` */
  path: string;
  id: string;
  kind: string;
  title: string;
  circuit: Circuit;
}

export interface WiringPlan {
  title: string;
  board: BoardProfile;
  parts: PartPlan[];
  /** The header pin each rail is taken from. */
  railPins: Record<Rail, string>;
}

export function railPins(board: BoardProfile): Record<Rail, string> {
  const logic = board.logicVolts === 5 ? board.power.v5?.[0] : board.power.v33?.[0];
  const gnd = board.power.gnd[0] ?? 'GND';
  return {
    GND: gnd,
    '3V3': board.power.v33?.[0] ?? logic ?? gnd,
    '5V': board.power.v5?.[0] ?? logic ?? gnd,
  };
}

/** The rail a circuit's supply terminal uses on this board. */
export function railFor(board: BoardProfile, rail: 'logic' | '3V3' | '5V'): Rail {
  if (rail === 'logic') return board.logicVolts === 5 ? '5V' : '3V3';
  if (rail === '5V' && !board.power.v5?.length) return '3V3';
  if (rail === '3V3' && !board.power.v33?.length) return '5V';
  return rail;
}

export function planWiring(config: DeviceConfig): WiringPlan {
  const board = getBoard(config.board);
  const pinName = (name: string | undefined) =>
    name ? (findPin(board, name)?.name ?? name) : undefined;
  const pulledUpBuses = new Set<number>();
  const parts: PartPlan[] = [];
  config.sensors.forEach((s, i) => {
    const part = getPart(s.part);
    let i2c: Parameters<typeof circuitFor>[0]['i2c'];
    if (part.category === 'sensor' && part.interface === 'i2c') {
      const buses = board.i2c ?? [];
      const index =
        s.bus === undefined
          ? 0
          : Math.max(
              0,
              buses.findIndex((b, k) => (b.bus ?? k) === s.bus),
            );
      const bus = buses[index];
      i2c = {
        sda: bus?.sda ?? '?',
        scl: bus?.scl ?? '?',
        address: s.address ?? part.i2cAddresses?.[0] ?? 0,
        pullupOhms: bus?.pullupOhms,
        drawPullups: !pulledUpBuses.has(index),
      };
      pulledUpBuses.add(index);
    }
    parts.push({
      path: `sensors[${i}]`,
      id: s.id,
      kind: part.kind,
      title: `${s.id}: ${part.name}`,
      circuit: circuitFor({
        kind: part.kind,
        pin: pinName(s.pin),
        i2c,
        params: resolveParams(part, s.params),
      }),
    });
  });
  config.actuators.forEach((a, i) => {
    const part = getPart(a.part);
    parts.push({
      path: `actuators[${i}]`,
      id: a.id,
      kind: part.kind,
      title: `${a.id}: ${part.name}`,
      circuit: circuitFor({
        kind: part.kind,
        pin: pinName(a.pin),
        params: resolveParams(part, a.params),
      }),
    });
  });
  return {
    title: `${config.name ?? config.id} (${config.id}) on ${board.name}`,
    board,
    parts,
    railPins: railPins(board),
  };
}
