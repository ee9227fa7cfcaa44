/**
 * Every `fullstack` subcommand, one file each. A command file exports `register(program)`.
 * Add a new command by adding its file and one line here.
 */
import type { Command } from 'commander';
import { register as apikey } from './apikey.js';
import { register as build } from './build.js';
import { register as check } from './check.js';
import { register as deadletters } from './deadletters.js';
import { register as device } from './device.js';
import { register as devices } from './devices.js';
import { register as flash } from './flash.js';
import { register as gateway } from './gateway.js';
import { register as install } from './install.js';
import { register as nodered } from './nodered.js';
import { register as ota } from './ota.js';
import { register as ports } from './ports.js';
import { register as provision } from './provision.js';
import { register as up } from './up.js';
import { register as wiring } from './wiring.js';

export const commands: ReadonlyArray<(program: Command) => void> = [
  up,
  device,
  build,
  ports,
  flash,
  ota,
  install,
  gateway,
  provision,
  devices,
  deadletters,
  check,
  wiring,
  apikey,
  nodered,
];
