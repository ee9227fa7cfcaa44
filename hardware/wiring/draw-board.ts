/** The board: its outline, name and header pins, coloured where a wire leaves them. */
import type { BoardProfile } from '../config/types.js';
import { line, text } from './symbols.js';
import { BOARD_W, I2C_COLORS, RAIL_COLOR, SIGNAL_COLORS } from './theme.js';

export interface HeaderPin {
  name: string;
  side: 'left' | 'right';
  x: number;
  y: number;
}

export function drawBoard(
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

export function legend(x: number, y: number): string {
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
