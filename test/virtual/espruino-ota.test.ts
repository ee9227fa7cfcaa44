/**
 * OTA on an Espruino, on the virtual board: the real uploader installs v1, then the real OTA
 * command table (bundled for Espruino) receives v2 in hashed chunks through the REPL, the
 * loader boots it on trial and it confirms; v3 never confirms and is rolled back; v4 throws
 * while loading and is rolled back at once.
 */
import { SerialPortStream } from '@serialport/stream';
import { build } from 'esbuild';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { checkEspruinoSyntax } from '../../firmware/espruino/syntax-check.js';
import { BOOT_INFO_FILE } from '../../firmware/flash/layout.js';
import { silentProgress } from '../../firmware/flash/progress.js';
import { ReplLink } from '../../firmware/flash/repl-link.js';
import { flashEspruino } from '../../firmware/flash/uploader.js';
import { planChunks, sha256Hex } from '../../firmware/ota/sender.js';
import type { OtaBootRecord } from '../../firmware/ota/slots.js';
import { VirtualEspruino } from '../../hardware/virtual/espruino/board.js';
import { VirtualEspruinoPorts } from '../../hardware/virtual/espruino/mock-port.js';
import { systemClock } from '../../lib/clock.js';
import { repoPath } from '../../lib/paths.js';

const TRIAL_MS = 300;

async function firmware(
  version: string,
  options: { confirms?: boolean; throws?: boolean } = {},
): Promise<string> {
  const result = await build({
    entryPoints: [repoPath('test', 'flash', 'fixtures', 'espruino-ota-firmware.ts')],
    bundle: true,
    format: 'iife',
    target: 'es2019',
    supported: { 'exponent-operator': false, 'optional-catch-binding': false },
    charset: 'ascii',
    write: false,
    logLevel: 'silent',
    define: {
      FIRMWARE_VERSION: JSON.stringify(version),
      CONFIRMS: String(options.confirms ?? true),
      THROWS: String(options.throws ?? false),
      TRIAL_MS: String(TRIAL_MS),
    },
  });
  return result.outputFiles[0]!.text;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

test('update, confirm, rollback without confirmation, rollback on a throw', async () => {
  const ports = new VirtualEspruinoPorts();
  const board = new VirtualEspruino();
  ports.addBoard('/dev/ttyACM0', board);
  const v1 = await firmware('v1');
  assert.equal(checkEspruinoSyntax(v1, 'v1.js'), [], 'the OTA firmware is Espruino-safe');
  await flashEspruino(
    { binding: ports, clock: systemClock, progress: silentProgress },
    { path: '/dev/ttyACM0', bundle: v1, filename: 'v1.js', fw: 'v1', greetTimeoutMs: 300 },
  );
  await sleep(100);
  assert.match(board.transcript, /fw v1 up/);

  const port = new SerialPortStream({ binding: ports, path: '/dev/ttyACM0', baudRate: 9600 });
  await new Promise((r) => port.on('open', r));
  const link = new ReplLink(port, systemClock);
  const call = (name: string, args: object) =>
    link.query<{ ok: boolean; error?: string }>(
      `(function(){var o=fsOta[${JSON.stringify(name)}]("t",${JSON.stringify(args)});if(o.after)setTimeout(o.after,50);return o.ack;})()`,
      2000,
    );
  const update = async (code: string, fw: string) => {
    const image = Buffer.from(code, 'latin1');
    const chunks = planChunks(image, 256);
    const begin = await call('ota-begin', {
      fw,
      size: image.length,
      sha256: sha256Hex(image),
      chunks: chunks.length,
      chunkBytes: 256,
    });
    assert.ok(begin.ok, JSON.stringify(begin));
    for (const chunk of chunks) assert.ok((await call('ota-chunk', chunk)).ok);
    assert.ok((await call('ota-commit', { sha256: sha256Hex(image) })).ok);
  };
  const record = () => board.storage.readJSON(BOOT_INFO_FILE) as OtaBootRecord;
  /** What the board printed since its last restart. */
  const sinceLastBoot = () => board.transcript.slice(board.transcript.lastIndexOf('espruino.com'));

  try {
    await update(await firmware('v2'), 'v2');
    await sleep(300);
    assert.match(board.transcript, /fw v2 up[\s\S]*fw v2 confirmed/);
    assert.is(record().fw, 'v2');
    assert.is(record().trial, undefined);

    await update(await firmware('v3', { confirms: false }), 'v3');
    await sleep(TRIAL_MS + 400);
    assert.match(board.transcript, /fw v3 up/);
    assert.match(sinceLastBoot(), /fw v2 up/);
    assert.is(record().fw, 'v2');
    assert.equal(record().rolledBack?.fw, 'v3');
    assert.match(record().rolledBack!.reason, /no birth within 300 ms/);

    await update(await firmware('v4', { throws: true }), 'v4');
    await sleep(300);
    assert.is(record().fw, 'v2');
    assert.match(record().rolledBack!.reason, /it threw at start: Error: v4 cannot start/);
    assert.not.match(board.transcript, /fw v4 up/);
    assert.match(sinceLastBoot(), /fw v2 up/);
  } finally {
    link.close(new Error('done'));
    await new Promise((r) => port.close(r));
    ports.reset();
  }
});

test.run();
