/** Option parsers shared by every command: each refuses a bad value with what is allowed. */
import { resolve } from 'node:path';
import { InvalidArgumentError, Option } from 'commander';
import { DEVICE_ID_PATTERN } from '../contract/topics.js';

export function parseIntInRange(min: number, max: number): (value: string) => number {
  return (value: string) => {
    if (!/^-?\d+$/.test(value.trim())) {
      throw new InvalidArgumentError(`"${value}" is not an integer (allowed: ${min} to ${max}).`);
    }
    const n = Number(value);
    if (n < min || n > max) {
      throw new InvalidArgumentError(`${n} is out of range (allowed: ${min} to ${max}).`);
    }
    return n;
  };
}

export const parsePort = parseIntInRange(1, 65535);

/** `--data-dir`: default `./data`, or FULLSTACK_DATA_DIR. Every stateful command takes it. */
export function dataDirOption(): Option {
  return new Option('--data-dir <dir>', 'where FullStack keeps its state')
    .env('FULLSTACK_DATA_DIR')
    .default('./data')
    .argParser((value: string) => resolve(value));
}

export function resolveDataDir(value: string): string {
  return resolve(value);
}

/** `--broker`: a URL an MQTT client can reach. */
export function parseBrokerUrl(value: string): string {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new InvalidArgumentError(
      `"${value}" is not a URL (allowed: mqtt://host:port, mqtts://, ws://, wss://).`,
    );
  }
  if (!['mqtt:', 'mqtts:', 'ws:', 'wss:', 'tcp:'].includes(url.protocol)) {
    throw new InvalidArgumentError(
      `"${value}" has scheme ${url.protocol} (allowed: mqtt, mqtts, ws, wss, tcp).`,
    );
  }
  return value;
}

/** An argument that must match an id pattern (a device, a gateway…). */
export function parseIdMatching(pattern: RegExp, what: string): (value: string) => string {
  return (value: string) => {
    if (!pattern.test(value)) {
      throw new InvalidArgumentError(
        `"${value}" is not a ${what} id (allowed: ${pattern.source}).`,
      );
    }
    return value;
  };
}

export const parseDeviceId = parseIdMatching(DEVICE_ID_PATTERN, 'device');
