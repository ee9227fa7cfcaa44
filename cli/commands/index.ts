/**
 * Every `fullstack` subcommand, one file each. A command file exports `register(program)`.
 * Add a new command by adding its file and one line here.
 */
import type { Command } from 'commander';
import { register as device } from './device.js';

export const commands: ReadonlyArray<(program: Command) => void> = [device];
