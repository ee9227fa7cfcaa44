/** `fullstack deadletters`: the rejected device messages the gateway kept, newest first. */
import { existsSync } from 'node:fs';
import { type Command, InvalidArgumentError, Option } from 'commander';
import { DEVICE_ID_PATTERN, REJECT_REASONS } from '../../contract/index.js';
import { type DeadLetter, listDeadLetters } from '../../gateway/dead-letters.js';
import { databasePath, openDatabase } from '../../gateway/store.js';
import { dataDirOption, parseIntInRange } from '../options.js';

const REASONS = [...REJECT_REASONS, 'outbox-full', 'handler-crash'];

export function readDeadLetters(
  dataDir: string,
  filter: { device?: string; reason?: string; limit?: number },
): DeadLetter[] {
  if (!existsSync(databasePath(dataDir))) return [];
  const db = openDatabase(dataDir, { synchronous: 'NORMAL', readonly: true });
  try {
    return listDeadLetters(db, filter);
  } finally {
    db.close();
  }
}

export function register(program: Command): void {
  program
    .command('deadletters')
    .description('list rejected device messages with their reason (newest first)')
    .addOption(dataDirOption())
    .addOption(
      new Option('--device <id>', 'only this device').argParser((v: string) => {
        if (!DEVICE_ID_PATTERN.test(v))
          throw new InvalidArgumentError(
            `"${v}" is not a device id (allowed: ${DEVICE_ID_PATTERN.source}).`,
          );
        return v;
      }),
    )
    .addOption(new Option('--reason <reason>', 'only this reason').choices(REASONS))
    .addOption(
      new Option('--limit <n>', 'at most this many')
        .argParser(parseIntInRange(1, 100_000))
        .default(50),
    )
    .option('--json', 'one JSON object per line', false)
    .action(
      (options: {
        dataDir: string;
        device?: string;
        reason?: string;
        limit: number;
        json: boolean;
      }) => {
        const letters = readDeadLetters(options.dataDir, options);
        if (options.json) {
          for (const l of letters) console.log(JSON.stringify(l));
          return;
        }
        if (letters.length === 0) {
          console.log('no dead letters');
          return;
        }
        for (const l of letters) {
          console.log(
            `${new Date(l.ts).toISOString()}  ${l.device}  ${l.reason}  ${l.topic}\n    ${l.detail}\n    ${l.payload}`,
          );
        }
      },
    );
}
