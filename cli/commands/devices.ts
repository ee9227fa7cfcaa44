/** `fullstack devices`: every device the gateway knows, with presence and the reason. */
import { existsSync } from 'node:fs';
import type { Command } from 'commander';
import type { PresenceEntry } from '../../contract/index.js';
import { databasePath, openDatabase } from '../../gateway/store.js';
import { lockHolder } from '../../lib/data-lock.js';
import { dataDirOption } from '../options.js';

export function formatDevices(entries: PresenceEntry[], now: number): string {
  if (entries.length === 0) return 'no devices yet';
  const rows = entries.map((e) => [
    e.device,
    e.online ? 'online' : 'offline',
    e.online ? '' : (e.reason ?? ''),
    e.via ?? '',
    `${Math.max(0, Math.round((now - e.since) / 1000))}s`,
    e.birth ? `${e.birth.board} ${e.birth.fw}` : '',
  ]);
  const header = ['DEVICE', 'STATE', 'REASON', 'VIA', 'SINCE', 'BOARD'];
  const widths = header.map((h, i) =>
    Math.max(h.length, ...rows.map((r) => (r[i] as string).length)),
  );
  return [header, ...rows]
    .map((r) =>
      r
        .map((c, i) => c.padEnd(widths[i] as number))
        .join('  ')
        .trimEnd(),
    )
    .join('\n');
}

export function readDevices(dataDir: string): PresenceEntry[] {
  if (!existsSync(databasePath(dataDir))) return [];
  const db = openDatabase(dataDir, { synchronous: 'NORMAL', readonly: true });
  try {
    const rows = db.prepare('SELECT entry FROM presence ORDER BY device').all() as Array<{
      entry: string;
    }>;
    return rows.map((r) => JSON.parse(r.entry) as PresenceEntry);
  } finally {
    db.close();
  }
}

export function register(program: Command): void {
  program
    .command('devices')
    .description('list devices with their presence (online, or offline and why)')
    .addOption(dataDirOption())
    .option('--json', 'print JSON (one array) instead of a table', false)
    .action((options: { dataDir: string; json: boolean }) => {
      if (!existsSync(options.dataDir)) {
        throw new Error(
          `data dir ${options.dataDir} does not exist (give --data-dir, or FULLSTACK_DATA_DIR)`,
        );
      }
      const entries = readDevices(options.dataDir);
      const running = lockHolder(options.dataDir) !== undefined;
      if (options.json) {
        console.log(JSON.stringify(entries));
        return;
      }
      console.log(formatDevices(entries, Date.now()));
      // The store keeps the last state it saw; with no gateway running, "online" is history.
      if (!running && entries.length > 0) {
        console.log(
          `(no gateway is running on ${options.dataDir}: this is the state when it last ran)`,
        );
      }
    });
}
