/** Geometry and colours shared by the diagram's parts. */
import type { Rail } from './plan.js';

export const PITCH = 20;
export const BOARD_W = 200;
export const BOARD_TOP_PAD = 50;
export const TRACK = 11;
export const PART_W = 330;
// Pins sit on multiples of 20 px and terminals halfway between (10 mod 20), so a wire leaving a
// pin never runs along a wire arriving at a terminal.
export const TERM_PITCH = 40;
export const RAIL_COLOR: Record<Rail, string> = {
  GND: '#212529',
  '3V3': '#e8590c',
  '5V': '#c92a2a',
};
export const SIGNAL_COLORS = [
  '#2f9e44',
  '#7048e8',
  '#0c8599',
  '#c2255c',
  '#5c940d',
  '#862e9c',
  '#364fc7',
  '#a61e4d',
];
export const I2C_COLORS = { sda: '#1971c2', scl: '#f08c00' };

export const STYLE = `
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
