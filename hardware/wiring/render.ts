/**
 * Lays out and draws a wiring plan as SVG: the board with its header pins on both edges, one box
 * per part on the right, supply rails as vertical buses between them, and one orthogonal wire per
 * connection. Every wire has its own vertical track (and, for pins on the board's left edge, its
 * own gutter and bottom track), so wires cross but never run on top of each other.
 */
import type { BoardProfile } from '../config/types.js';
import { drawBoard, type HeaderPin, legend } from './draw-board.js';
import { drawPart, partHeight, terminalY } from './draw-part.js';
import { type Rail, railFor, type WiringPlan } from './plan.js';
import { dot, esc, text, wire } from './symbols.js';
import {
  BOARD_TOP_PAD,
  BOARD_W,
  I2C_COLORS,
  PART_W,
  PITCH,
  RAIL_COLOR,
  SIGNAL_COLORS,
  STYLE,
  TRACK,
} from './theme.js';

interface Connection {
  header: HeaderPin;
  color: string;
  /** A terminal (x, y) for signals; for rail feeds the rail's x and no y. */
  to: { x: number; y?: number };
}

export function renderSvg(plan: WiringPlan): string {
  const { board } = plan;
  const layout = board.layout ?? { left: [], right: board.pins.map((p) => p.name) };
  const rows = Math.max(layout.left.length, layout.right.length);
  const parts = plan.parts.map((p) => ({ ...p, height: partHeight(p.circuit) }));
  const signalCount = parts.reduce(
    (k, p) => k + p.circuit.terminals.filter((t) => t.net.kind === 'pin').length,
    0,
  );
  const rails = railsUsed(plan);
  const leftWires = countLeftWires(plan, layout, rails);

  const boardX = 24 + leftWires * TRACK + 12;
  const boardY = 100;
  const boardH = BOARD_TOP_PAD + rows * PITCH + 12;
  const laneX0 = boardX + BOARD_W + 26;
  const railX0 = laneX0 + Math.max(1, signalCount) * TRACK + 18;
  const partX = railX0 + rails.length * 16 + 24;

  const header = new Map<string, HeaderPin>();
  const headerList: HeaderPin[] = [];
  for (const side of ['left', 'right'] as const) {
    layout[side].forEach((name, i) => {
      const pin = {
        name,
        side,
        x: side === 'left' ? boardX : boardX + BOARD_W,
        y: boardY + BOARD_TOP_PAD + i * PITCH,
      };
      headerList.push(pin);
      // The first of repeated names (GND) on the right edge is preferred: shorter wires.
      const held = header.get(name);
      if (!held || (held.side === 'left' && side === 'right')) header.set(name, pin);
    });
  }
  const railX = new Map(rails.map((r, i) => [r, railX0 + i * 16]));

  const out: string[] = [];
  const wires: string[] = [];
  const used = new Map<string, string>(); // header pin key → color
  const connections: Connection[] = [];
  const railSpan = new Map<Rail, [number, number]>();
  const extendRail = (rail: Rail, y: number) => {
    const span = railSpan.get(rail) ?? [y, y];
    railSpan.set(rail, [Math.min(span[0], y), Math.max(span[1], y)]);
  };

  const terminalYs: number[] = [];
  // Parts, top to bottom, beside the board.
  let partY = boardY;
  let signalIndex = 0;
  for (const part of parts) {
    out.push(drawPart(part.title, part.circuit, partX, partY, part.height));
    part.circuit.terminals.forEach((t, i) => {
      const ty = terminalY(partY, i, part.circuit);
      terminalYs.push(ty);
      const net = t.net;
      if (net.kind === 'pin') {
        const pin = header.get(net.pin) ?? headerList.find((h) => h.name === net.pin);
        const color =
          net.role === 'signal'
            ? (SIGNAL_COLORS[signalIndex++ % SIGNAL_COLORS.length] as string)
            : I2C_COLORS[net.role];
        if (pin) connections.push({ header: pin, color, to: { x: partX, y: ty } });
      } else {
        const rail = net.kind === 'ground' ? 'GND' : railFor(board, net.rail);
        const x = railX.get(rail) as number;
        extendRail(rail, ty);
        wires.push(
          wire(
            [
              [x, ty],
              [partX, ty],
            ],
            RAIL_COLOR[rail],
          ),
          dot(x, ty, RAIL_COLOR[rail]),
        );
      }
    });
    partY += part.height + 20;
  }
  for (const rail of rails) {
    const pin = header.get(plan.railPins[rail]);
    if (pin)
      connections.push({
        header: pin,
        color: RAIL_COLOR[rail],
        to: { x: railX.get(rail) as number },
      });
  }

  // Route every connection on its own tracks.
  let lane = 0;
  let left = 0;
  const bottom = boardY + boardH + 16;
  const bottomTracks = trackYs(bottom, leftWires, terminalYs);
  for (const c of connections) {
    const h = c.header;
    used.set(`${h.side}:${h.y}`, c.color);
    const isRail = c.to.y === undefined;
    const points: [number, number][] = [[h.x, h.y]];
    let y = h.y;
    if (h.side === 'left') {
      const gx = boardX - 14 - left * TRACK;
      y = bottomTracks[left] as number;
      left++;
      points.push([gx, h.y], [gx, y]);
    }
    if (isRail) {
      points.push([c.to.x, y]);
      const rail = (Object.keys(RAIL_COLOR) as Rail[]).find(
        (r) => RAIL_COLOR[r] === c.color,
      ) as Rail;
      extendRail(rail, y);
      wires.push(wire(points, c.color), dot(c.to.x, y, c.color));
    } else {
      const lx = laneX0 + lane++ * TRACK;
      points.push([lx, y], [lx, c.to.y as number], [c.to.x, c.to.y as number]);
      wires.push(wire(points, c.color));
    }
  }
  // Rails run from the top, where their names sit in a staggered row above every wire.
  const rails_ = rails.map((r, i) => {
    const [, y2] = railSpan.get(r) ?? [boardY, boardY];
    const x = railX.get(r) as number;
    const top = boardY - 2;
    const rail = wire(
      [
        [x, top],
        [x, y2],
      ],
      RAIL_COLOR[r],
      'rail',
    );
    return rail + text(x, top - 6 - i * 12, r, 'class="sub" text-anchor="middle"');
  });

  const width = partX + PART_W + 24;
  const height = Math.max(partY, (bottomTracks.at(-1) ?? bottom) + 10, boardY + boardH + 20) + 40;
  return [
    `<?xml version="1.0" encoding="UTF-8"?>`,
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" role="img" aria-label="${esc(plan.title)}">`,
    `<title>${esc(plan.title)}</title>`,
    `<style>${STYLE}</style>`,
    `<rect width="${width}" height="${height}" fill="#fff"/>`,
    text(24, 30, plan.title, 'class="title"'),
    text(24, 48, subtitle(board), 'class="sub"'),
    drawBoard(board, boardX, boardY, boardH, headerList, used),
    ...rails_,
    ...wires,
    ...out,
    legend(24, height - 18),
    '</svg>',
    '',
  ].join('\n');
}

/** `count` horizontal tracks from `start` down, each at least 5 px from every terminal's wire. */
function trackYs(start: number, count: number, avoid: number[]): number[] {
  const ys: number[] = [];
  for (let y = start; ys.length < count; y += TRACK) {
    while (avoid.some((a) => Math.abs(a - y) < 5)) y += 5;
    ys.push(y);
  }
  return ys;
}

function subtitle(board: BoardProfile): string {
  const bits = [`${board.logicVolts} V logic`, `runtime: ${board.target}`];
  if (board.adcBits) bits.push(`${board.adcBits}-bit ADC`);
  else bits.push('no ADC');
  if (board.espruinoVars) bits.push(`${board.espruinoVars} vars`);
  return bits.join(' · ');
}

function railsUsed(plan: WiringPlan): Rail[] {
  const set = new Set<Rail>();
  for (const p of plan.parts) {
    for (const t of p.circuit.terminals) {
      if (t.net.kind === 'ground') set.add('GND');
      if (t.net.kind === 'supply') set.add(railFor(plan.board, t.net.rail));
    }
  }
  return (['GND', '5V', '3V3'] as Rail[]).filter((r) => set.has(r));
}

/** Wires leaving from the board's left edge: each needs its own gutter track. */
function countLeftWires(
  plan: WiringPlan,
  layout: { left: string[]; right: string[] },
  rails: Rail[],
): number {
  const onLeft = (name: string) => layout.left.includes(name) && !layout.right.includes(name);
  let k = rails.filter((r) => onLeft(plan.railPins[r])).length;
  for (const p of plan.parts) {
    for (const t of p.circuit.terminals) if (t.net.kind === 'pin' && onLeft(t.net.pin)) k++;
  }
  return k;
}
