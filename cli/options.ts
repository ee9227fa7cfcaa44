/** Option parsers shared by every command: each refuses a bad value with what is allowed. */
import { resolve } from 'node:path';
import { InvalidArgumentError, Option } from 'commander';

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
