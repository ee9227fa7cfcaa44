/**
 * Lays out and draws a wiring plan as SVG: the board with its header pins on both edges, one box
 * per part on the right, supply rails as vertical buses between them, and one orthogonal wire per
 * connection. Every wire has its own vertical track (and, for pins on the board's left edge, its
 * own gutter and bottom track), so wires cross but never run on top of each other.
 */
import type { BoardProfile } from '../config/types.js';
import type { Circuit } from './circuits.js';
import { type Rail, railFor, type WiringPlan } from './plan.js';
import { dot, esc, line, SYMBOL_HEIGHT, symbol, text, wire } from './symbols.js';

const PITCH = 20;
const BOARD_W = 200;
const BOARD_TOP_PAD = 50;
const TRACK = 11;
const PART_W = 330;
// Pins sit on multiples of 20 px and terminals halfway between (10 mod 20), so a wire leaving a
// pin never runs along a wire arriving at a terminal.
const TERM_PITCH = 40;
const RAIL_COLOR: Record<Rail, string> = { GND: '#212529', '3V3': '#e8590c', '5V': '#c92a2a' };
const SIGNAL_COLORS = [
  '#2f9e44',
  '#7048e8',
  '#0c8599',
  '#c2255c',
  '#5c940d',
  '#862e9c',
  '#364fc7',
  '#a61e4d',
];
const I2C_COLORS = { sda: '#1971c2', scl: '#f08c00' };

const STYLE = `
  .title { font: bold 16px Helvetica, Arial, sans-serif; fill: #212529 }
  .sub { font: 11px Helvetica, Arial, sans-serif; fill: #495057 }
  .board { fill: #1864ab; stroke: #0b3d6e; stroke-width: 2 }
  .board-name { font: bold 13px Helvetica, Arial, sans-serif; fill: #fff }
  .pin-label { font: 10px Menlo, Consolas, monospace; fill: #e7f5ff }
  .pin-label.inert { fill: #74a9d8 }
  .pin { stroke: #0b3d6e; stroke-width: 1 }
  .part { fill: #fff; stroke: #868e96; stroke-width: 1.2 }
  .part-title { font: bold 12px Helvetica, Arial, sans-serif; fill: #212529 }
  .term-label { font: 10px Menlo, Consolas, monospace; fill: #343a40 }
  .el-label { font: 10px Helvetica, Arial, sans-serif; fill: #495057 }
  .note { font: italic 10px Helvetica, Arial, sans-serif; fill: #868e96 }
  .block { fill: #f1f3f5; stroke: #495057; stroke-width: 1.2 }
  .block-label { font: bold 11px Helvetica, Arial, sans-serif; fill: #212529 }
  .wire { fill: none; stroke-width: 2.2; stroke-linejoin: round }
  .rail { fill: none; stroke-width: 3 }
  .part-line { stroke: #343a40; stroke-width: 1.4; fill: none }
  .resistor { fill: #fff3bf; stroke: #343a40; stroke-width: 1.2 }
  .led { fill: #ffc9c9; stroke: #343a40; stroke-width: 1.2 }
  .arrow { stroke: #343a40; stroke-width: 1 }
  .arrow-head { fill: #343a40 }
  .terminal { fill: #fff; stroke: #343a40; stroke-width: 1 }
`;

interface HeaderPin {
  name: string;
  side: 'left' | 'right';
  x: number;
  y: number;
}

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

function drawBoard(
  board: BoardProfile,
  x: number,
  y: number,
  h: number,
  pins: HeaderPin[],
  used: Map<string, string>,
): string {
  const s: string[] = [
    `<rect x="${x}" y="${y}" width="${BOARD_W}" height="${h}" rx="10" class="board"/>`,
  ];
  // "ESP32 DevKitC (ESP32-WROOM-32)": the name on the first line, the detail beside the id.
  const [name, detail] = board.name.split(/ \((.*)\)$/);
  s.push(
    text(x + BOARD_W / 2, y + 22, name ?? board.name, 'class="board-name" text-anchor="middle"'),
  );
  const second = detail ? `${detail} · ${board.id}` : board.id;
  s.push(text(x + BOARD_W / 2, y + 38, second, 'class="pin-label" text-anchor="middle"'));
  const byName = new Map(board.pins.map((p) => [p.name, p]));
  const power = new Set(Object.values(board.power).flat());
  for (const pin of pins) {
    const color = used.get(`${pin.side}:${pin.y}`);
    const profile = byName.get(pin.name);
    const inert = !profile && !power.has(pin.name);
    const fill = color ?? (inert ? '#4d7fae' : '#ced4da');
    s.push(
      `<rect x="${pin.x - 5}" y="${pin.y - 5}" width="10" height="10" class="pin" fill="${fill}"/>`,
    );
    const label =
      profile?.header && board.target === 'node-raspi'
        ? `${pin.name} (${profile.header})`
        : pin.name;
    const attrs = `class="pin-label${inert ? ' inert' : ''}" dominant-baseline="middle"`;
    s.push(
      pin.side === 'left'
        ? text(pin.x + 10, pin.y + 1, label, attrs)
        : text(pin.x - 10, pin.y + 1, label, `${attrs} text-anchor="end"`),
    );
  }
  return s.join('\n');
}

/** Terminals are spaced so that a chain of symbols (resistor then LED) fits between two. */
function pitchOf(c: Circuit): number {
  const longest = Math.max(
    1,
    ...c.elements.map((e) => e.chain.length / Math.max(1, Math.abs(e.to - e.from))),
  );
  return Math.max(TERM_PITCH, Math.ceil((longest * (SYMBOL_HEIGHT + 10)) / 20) * 20);
}

function terminalY(partY: number, i: number, c: Circuit): number {
  return partY + 40 + i * pitchOf(c);
}

function partHeight(c: Circuit): number {
  const h = 40 + (c.terminals.length - 1) * pitchOf(c) + 22 + c.notes.length * 13;
  return Math.ceil(h / 20) * 20;
}

function drawPart(title: string, c: Circuit, x: number, y: number, h: number): string {
  const s: string[] = [
    `<rect x="${x}" y="${y}" width="${PART_W}" height="${h}" rx="6" class="part"/>`,
  ];
  s.push(
    text(
      x + 10,
      y + 17,
      title.length > 48 ? `${title.slice(0, 47)}…` : title,
      'class="part-title"',
    ),
  );
  const blockX = x + PART_W - 104;
  const elementX = (k: number) => x + 96 + k * 62;
  const lineEnd = c.block ? blockX : elementX(Math.max(0, c.elements.length - 1));
  c.terminals.forEach((t, i) => {
    const ty = terminalY(y, i, c);
    s.push(`<circle cx="${x}" cy="${ty}" r="3.2" class="terminal"/>`);
    s.push(text(x + 8, ty - 5, t.label, 'class="term-label"'));
    s.push(line(x + 3, ty, lineEnd, ty, 'class="part-line"'));
  });
  c.elements.forEach((e, k) => {
    const ex = elementX(k);
    const y1 = terminalY(y, Math.min(e.from, e.to), c);
    const y2 = terminalY(y, Math.max(e.from, e.to), c);
    s.push(dot(ex, y1, '#343a40'), dot(ex, y2, '#343a40'));
    const slot = (y2 - y1) / e.chain.length;
    const lines = c.terminals.map((_, i) => terminalY(y, i, c));
    e.chain.forEach((part, j) => {
      let cy = y1 + slot * (j + 0.5);
      // An element spanning three terminals would sit on the middle one's line: move it down.
      if (lines.some((ly) => Math.abs(ly - cy) < SYMBOL_HEIGHT / 2 + 2)) cy += pitchOf(c) / 2;
      s.push(line(ex, y1 + slot * j, ex, cy - SYMBOL_HEIGHT / 2, 'class="part-line"'));
      s.push(symbol(part.kind, ex, cy));
      s.push(line(ex, cy + SYMBOL_HEIGHT / 2, ex, y1 + slot * (j + 1), 'class="part-line"'));
      s.push(text(ex + 12, cy + 4, part.label, 'class="el-label"'));
    });
  });
  if (c.block) {
    const top = terminalY(y, 0, c) - 12;
    const bottom = terminalY(y, c.terminals.length - 1, c) + 12;
    s.push(
      `<rect x="${blockX}" y="${top}" width="92" height="${bottom - top}" rx="4" class="block"/>`,
    );
    s.push(
      text(
        blockX + 46,
        (top + bottom) / 2 + 4,
        c.block,
        'class="block-label" text-anchor="middle"',
      ),
    );
  }
  c.notes.forEach((note, i) => {
    s.push(text(x + 10, y + h - 8 - (c.notes.length - 1 - i) * 13, note, 'class="note"'));
  });
  return s.join('\n');
}

function legend(x: number, y: number): string {
  const items: [string, string][] = [
    [RAIL_COLOR['5V'], '5 V'],
    [RAIL_COLOR['3V3'], '3.3 V'],
    [RAIL_COLOR.GND, 'ground'],
    [I2C_COLORS.sda, 'I2C SDA'],
    [I2C_COLORS.scl, 'I2C SCL'],
    [SIGNAL_COLORS[0] as string, 'signals'],
  ];
  return items
    .map(
      ([color, label], i) =>
        line(x + i * 92, y, x + i * 92 + 22, y, `stroke="${color}" stroke-width="3"`) +
        text(x + i * 92 + 28, y + 4, label, 'class="sub"'),
    )
    .join('\n');
}
