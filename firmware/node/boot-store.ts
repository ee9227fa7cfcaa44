/** The boot counter in a small file (default ./data/devices/<id>/boot): one integer, text. */
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import type { BootStore } from '../core/types.js';

export function createFileBootStore(path: string): BootStore {
  return {
    nextBoot() {
      let previous = 0;
      try {
        const text = readFileSync(path, 'utf8').trim();
        if (!/^\d+$/.test(text)) {
          throw new Error(
            `boot counter file ${path} holds "${text.slice(0, 20)}", expected an integer`,
          );
        }
        previous = Number(text);
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
      }
      const next = previous + 1;
      mkdirSync(dirname(path), { recursive: true });
      // Write then rename, so a power cut never leaves a half-written counter.
      writeFileSync(`${path}.tmp`, `${next}\n`);
      renameSync(`${path}.tmp`, path);
      return next;
    },
  };
}

/** A counter kept in memory only (tests, or a device with no writable storage). */
export function createMemoryBootStore(start = 0): BootStore {
  let boot = start;
  return { nextBoot: () => ++boot };
}
