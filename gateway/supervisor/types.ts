/** The supervision vocabulary shared by supervisors, process children and in-process children. */

/**
 * As in OTP: `permanent` is always restarted, `transient` only after a crash, `temporary`
 * never (its exit is recorded and left alone).
 */
export type RestartPolicy = 'permanent' | 'transient' | 'temporary';

/** Something running under supervision. A Supervisor is one too, so trees nest. */
export interface ChildHandle {
  /**
   * Resolves on a normal exit (including one asked for by stop()), rejects on a crash. A
   * crashed child is not stopped again, so it must have let go of its ports and files by
   * the time `done` rejects.
   */
  readonly done: Promise<void>;
  /** Asks the child to stop and resolves once it has. Calling it twice is harmless. */
  stop(): Promise<void>;
}

export interface ChildSpec {
  id: string;
  /** Starts the child; resolves once it is ready, rejects if it cannot start. */
  start(): Promise<ChildHandle>;
  restart: RestartPolicy;
  /** How long stop() may take before the supervisor moves on (default 5000 ms). */
  shutdownMs?: number;
}

export type ChildState = 'starting' | 'running' | 'restarting' | 'stopped' | 'failed';

export interface ChildStatus {
  id: string;
  state: ChildState;
  restarts: number;
}

/** What a supervisor reports as it works, for logs, metrics and tests. */
export type SupervisorEvent =
  | { type: 'child-started'; supervisor: string; child: string }
  | {
      type: 'child-exited';
      supervisor: string;
      child: string;
      outcome: 'normal' | 'crash';
      error?: string;
    }
  | { type: 'child-start-failed'; supervisor: string; child: string; error: string }
  | {
      type: 'child-restarting';
      supervisor: string;
      child: string;
      attempt: number;
      delayMs: number;
    }
  | { type: 'child-stop-timeout'; supervisor: string; child: string; shutdownMs: number }
  | { type: 'gave-up'; supervisor: string; child: string; error: string }
  | { type: 'stopped'; supervisor: string };

export function errorText(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
