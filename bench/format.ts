/** Number and table formatting for the benchmark's console output and docs/benchmarks.md. */
export const round = (n: number, digits = 0) => {
  const f = 10 ** digits;
  return Math.round(n * f) / f;
};
export const int = (n: number) => Math.round(n).toLocaleString('en-US');
export const mib = (bytes: number) => `${round(bytes / 2 ** 20, 1)} MiB`;
export const kib = (bytes: number) => `${round(bytes / 1024, 1)} KiB`;

/** A Markdown table. */
export function table(header: string[], rows: string[][]): string {
  const line = (cells: string[]) => `| ${cells.join(' | ')} |`;
  return [line(header), line(header.map(() => '---')), ...rows.map(line)].join('\n');
}
