/**
 * Flash progress for people: a cli-progress bar on a terminal, plain lines (one per step and
 * one per tenth of the upload) when the output is a pipe or a log.
 */
import { SingleBar } from 'cli-progress';

export type FlashStep = 'checking' | 'opening' | 'connecting' | 'uploading' | 'verifying' | 'done';

export interface FlashProgress {
  step(step: FlashStep, detail: string): void;
  chunk(sent: number, total: number): void;
}

export const silentProgress: FlashProgress = { step: () => undefined, chunk: () => undefined };

/** Plain lines: `upload 30% (1152/3840 bytes)`. */
export function lineProgress(write: (line: string) => void): FlashProgress {
  let lastTenth = -1;
  return {
    step: (step, detail) => write(`${step}: ${detail}`),
    chunk: (sent, total) => {
      const tenth = Math.floor((sent / total) * 10);
      if (tenth === lastTenth) return;
      lastTenth = tenth;
      write(`upload ${Math.floor((sent / total) * 100)}% (${sent}/${total} bytes)`);
    },
  };
}

/** A bar while uploading, lines for the other steps. */
export function barProgress(stream: NodeJS.WriteStream): FlashProgress {
  let bar: SingleBar | undefined;
  const line = (text: string) => stream.write(`${text}\n`);
  return {
    step: (step, detail) => {
      if (bar && step !== 'uploading') {
        bar.stop();
        bar = undefined;
      }
      line(`${step}: ${detail}`);
    },
    chunk: (sent, total) => {
      if (!bar) {
        bar = new SingleBar({
          stream,
          format: 'upload [{bar}] {percentage}% | {value}/{total} bytes',
          hideCursor: true,
        });
        bar.start(total, 0);
      }
      bar.update(sent);
    },
  };
}

/** The right reporter for a stream. */
export function progressFor(stream: NodeJS.WriteStream): FlashProgress {
  return stream.isTTY ? barProgress(stream) : lineProgress((text) => stream.write(`${text}\n`));
}
