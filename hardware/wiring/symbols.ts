/** SVG drawing primitives: escaped text, wires, and the schematic symbols drawn vertically. */
import type { ElementKind } from './circuits.js';

export function esc(text: string): string {
  return text
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&apos;');
}

const n = (v: number) => String(Math.round(v * 10) / 10);

export function text(x: number, y: number, content: string, attrs = ''): string {
  return `<text x="${n(x)}" y="${n(y)}"${attrs ? ` ${attrs}` : ''}>${esc(content)}</text>`;
}

export function line(x1: number, y1: number, x2: number, y2: number, attrs: string): string {
  return `<line x1="${n(x1)}" y1="${n(y1)}" x2="${n(x2)}" y2="${n(y2)}" ${attrs}/>`;
}

/** An orthogonal wire through the given points. */
export function wire(points: [number, number][], color: string, cls = 'wire'): string {
  const d = points.map(([x, y], i) => `${i === 0 ? 'M' : 'L'}${n(x)} ${n(y)}`).join(' ');
  return `<path class="${cls}" d="${d}" stroke="${color}"/>`;
}

export function dot(x: number, y: number, color: string): string {
  return `<circle cx="${n(x)}" cy="${n(y)}" r="2.8" fill="${color}"/>`;
}

/** Height a symbol takes when drawn vertically. */
export const SYMBOL_HEIGHT = 24;

/** One symbol centred at (x, cy), leads to cy ± SYMBOL_HEIGHT/2. */
export function symbol(kind: ElementKind, x: number, cy: number): string {
  const top = cy - SYMBOL_HEIGHT / 2;
  const bottom = cy + SYMBOL_HEIGHT / 2;
  const body = 'class="part-line"';
  switch (kind) {
    case 'resistor':
    case 'ldr':
    case 'ntc': {
      let s = `<rect x="${n(x - 4)}" y="${n(cy - 9)}" width="8" height="18" class="resistor"/>`;
      s += line(x, top, x, cy - 9, body) + line(x, cy + 9, x, bottom, body);
      if (kind === 'ldr') {
        // Two arrows pointing at the body: light falling on it.
        for (const dy of [-6, 2]) {
          s += line(x - 16, cy + dy - 6, x - 7, cy + dy, 'class="arrow"');
          s += `<path d="M${n(x - 7)} ${n(cy + dy)} l-5 -1 l2 -3 z" class="arrow-head"/>`;
        }
      }
      if (kind === 'ntc') {
        s += `<path d="M${n(x - 10)} ${n(cy + 10)} L${n(x + 9)} ${n(cy - 9)} l5 0" class="part-line" fill="none"/>`;
      }
      return s;
    }
    case 'switch':
      return (
        line(x, top, x, cy - 7, body) +
        `<circle cx="${n(x)}" cy="${n(cy - 7)}" r="2" class="terminal"/>` +
        `<circle cx="${n(x)}" cy="${n(cy + 7)}" r="2" class="terminal"/>` +
        line(x, cy + 7, x - 9, cy - 6, body) +
        line(x, cy + 7, x, bottom, body)
      );
    case 'led':
      return (
        line(x, top, x, cy - 6, body) +
        `<path d="M${n(x - 6)} ${n(cy - 6)} L${n(x + 6)} ${n(cy - 6)} L${n(x)} ${n(cy + 5)} Z" class="led"/>` +
        line(x - 6, cy + 5, x + 6, cy + 5, body) +
        line(x, cy + 5, x, bottom, body) +
        line(x + 8, cy - 2, x + 15, cy - 8, 'class="arrow"') +
        line(x + 8, cy + 3, x + 15, cy - 3, 'class="arrow"')
      );
  }
}
