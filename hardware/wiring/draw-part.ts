/** A part's box: its terminals, the components between them, the chip block and notes. */
import type { Circuit } from './circuits.js';
import { dot, line, SYMBOL_HEIGHT, symbol, text } from './symbols.js';
import { PART_W, TERM_PITCH } from './theme.js';

/** Terminals are spaced so that a chain of symbols (resistor then LED) fits between two. */
export function pitchOf(c: Circuit): number {
  const longest = Math.max(
    1,
    ...c.elements.map((e) => e.chain.length / Math.max(1, Math.abs(e.to - e.from))),
  );
  return Math.max(TERM_PITCH, Math.ceil((longest * (SYMBOL_HEIGHT + 10)) / 20) * 20);
}

export function terminalY(partY: number, i: number, c: Circuit): number {
  return partY + 40 + i * pitchOf(c);
}

export function partHeight(c: Circuit): number {
  const h = 40 + (c.terminals.length - 1) * pitchOf(c) + 22 + c.notes.length * 13;
  return Math.ceil(h / 20) * 20;
}

export function drawPart(title: string, c: Circuit, x: number, y: number, h: number): string {
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
