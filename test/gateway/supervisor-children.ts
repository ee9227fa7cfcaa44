/** In-process children for supervisor tests: each one can be made to crash or exit on demand. */
import type { ChildHandle, ChildSpec, RestartPolicy } from '../../gateway/supervisor/index.js';

export interface TestChild {
  spec: ChildSpec;
  starts: number;
  stops: number;
  /** Ordered log shared by all children of a test: "start a", "stop b"… */
  crash(message?: string): void;
  exit(): void;
  failNextStarts: number;
}

export function testChild(id: string, restart: RestartPolicy, journal: string[]): TestChild {
  let current: { resolve: () => void; reject: (e: Error) => void } | undefined;
  const child: TestChild = {
    starts: 0,
    stops: 0,
    failNextStarts: 0,
    crash(message = `${id} crashed`) {
      const c = current;
      current = undefined;
      c?.reject(new Error(message));
    },
    exit() {
      const c = current;
      current = undefined;
      c?.resolve();
    },
    spec: {
      id,
      restart,
      async start(): Promise<ChildHandle> {
        if (child.failNextStarts > 0) {
          child.failNextStarts -= 1;
          journal.push(`start-fail ${id}`);
          throw new Error(`${id} cannot start`);
        }
        child.starts += 1;
        journal.push(`start ${id}`);
        const done = new Promise<void>((resolve, reject) => {
          current = { resolve, reject };
        });
        return {
          done,
          async stop() {
            child.stops += 1;
            journal.push(`stop ${id}`);
            const c = current;
            current = undefined;
            c?.resolve();
          },
        };
      },
    },
  };
  return child;
}

/** Lets queued promise callbacks run. */
export async function settle(rounds = 10): Promise<void> {
  for (let i = 0; i < rounds; i++) await new Promise<void>((r) => setImmediate(r));
}
