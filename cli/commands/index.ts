/**
 * Every `fullstack` subcommand, one file each. A command file exports `register(program)`.
 * Add a new command by adding its file and one line here.
 */
import type { Command } from 'commander';
import { register as device } from './device.js';
import { register as flash } from './flash.js';
import { register as ports } from './ports.js';

export const commands: ReadonlyArray<(program: Command) => void> = [device, ports, flash];
