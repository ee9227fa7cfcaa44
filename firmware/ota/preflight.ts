/**
 * What `fullstack ota` checks before it builds or sends anything, so that a wrong device, a
 * wrong config or a board without OTA is said in the user's terms, not as a refusal halfway:
 * the config is this device's and for a board with OTA (Espruino or a Pi); the gateway knows
 * the device, it is online, and the board in its birth is the config's.
 */
import type { PresenceEntry } from '../../contract/upstream.js';
import { getBoard, hasBoard } from '../../hardware/boards/index.js';
import type { BoardProfile, DeviceConfig } from '../../hardware/config/index.js';
import { boardPhrase } from '../flash/board-words.js';
import { OtaError } from './sender.js';

/** A board whose target has no OTA receiver: the message, in the user's terms. */
function noOta(device: string, board: BoardProfile): OtaError {
  return new OtaError(
    `${device} runs on ${boardPhrase(board)} (${board.target}): OTA is for Espruino and Pi devices.`,
    `A Firmata board runs StandardFirmata, and its behaviour is the device config, run by the gateway or \`fullstack device run\` on the host it is plugged into: restart that with the new config. \`fullstack flash --board ${['nano', 'mega'].includes(board.id) ? board.id : 'uno'} --port P\` rewrites StandardFirmata.`,
  );
}

/**
 * Checks a config against the device it is meant for; nothing here needs the gateway. An
 * Espruino config is built into its bundle, a Pi config into the Node firmware `fullstack
 * device host` runs (firmware/node/node-bundle.ts): both can be built.
 */
export function checkOtaConfig(device: string, path: string, config: DeviceConfig): BoardProfile {
  if (config.id !== device) {
    throw new OtaError(
      `${path} is the config of ${config.id}, not of ${device}.`,
      `Give ${device}'s own config (its field id must be "${device}"), or update ${config.id} instead.`,
    );
  }
  const board = getBoard(config.board);
  if (board.target === 'node-firmata') throw noOta(device, board);
  return board;
}

export interface PreflightContext {
  device: string;
  gatewayId: string;
  broker: string;
  /** What the gateway published (`knownDevices()`); null when it published nothing. */
  known: PresenceEntry[] | null;
  /** The config's board, when the update is built from a config. */
  configBoard?: BoardProfile;
}

/** Refuses (throws an OtaError) unless the gateway knows the device online, on the right board. */
export function checkOtaTarget(ctx: PreflightContext): PresenceEntry {
  const { device } = ctx;
  if (ctx.known === null) {
    throw new OtaError(
      `gateway "${ctx.gatewayId}" has published no device list on ${ctx.broker} (topic fs/gw/v1/${ctx.gatewayId}/devices).`,
      'Check that the gateway runs and that --broker and --gateway (its id, default "local") are its own.',
    );
  }
  const entry = ctx.known.find((e) => e.device === device);
  if (!entry) {
    const ids = ctx.known.map((e) => e.device).sort();
    throw new OtaError(
      `unknown device ${device}: gateway "${ctx.gatewayId}" knows ${ids.length === 0 ? 'no devices yet' : ids.join(', ')}.`,
      'Check the id (`fullstack devices` lists them) or --gateway; a device is known once it has connected.',
    );
  }
  if (!entry.online) {
    throw new OtaError(
      `${device} is offline (${entry.reason ?? 'no reason given'}) since ${new Date(entry.since).toISOString()}: nothing was sent.`,
      'An update needs the device online: check its power and network, then run the update again.',
    );
  }
  const birthBoard = entry.birth?.board;
  if (ctx.configBoard && birthBoard !== undefined && birthBoard !== ctx.configBoard.id) {
    throw new OtaError(
      `${device} reports board "${birthBoard}" in its birth, but the config is for "${ctx.configBoard.id}" (${ctx.configBoard.name}).`,
      `Fix the config's field board, or give the config of the device that runs on ${ctx.configBoard.id}.`,
    );
  }
  if (birthBoard !== undefined && hasBoard(birthBoard)) {
    const board = getBoard(birthBoard);
    if (board.target === 'node-firmata') throw noOta(device, board);
  }
  return entry;
}
