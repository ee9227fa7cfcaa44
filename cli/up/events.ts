/** Supervisor events as the one-line messages a person running `fullstack up` should see. */
import type { SupervisorEvent } from '../../gateway/supervisor/types.js';

/** The first line only: a child's error may carry its last log lines (they are in the log file). */
function firstLine(text: string): string {
  return text.split('\n', 1)[0] as string;
}

export function describeEvent(event: SupervisorEvent): string | undefined {
  switch (event.type) {
    case 'child-exited': {
      if (event.outcome !== 'crash') return undefined;
      const detail = firstLine(event.error ?? 'unknown error');
      // A process child's error already reads "<child> crashed (…)": don't say it twice.
      return detail.startsWith(`${event.child} `) ? detail : `${event.child} crashed: ${detail}`;
    }
    case 'child-start-failed':
      return `${event.child} failed to start: ${firstLine(event.error)}`;
    case 'child-restarting':
      return `restarting ${event.child} in ${event.delayMs} ms (attempt ${event.attempt})`;
    case 'child-stop-timeout':
      return `${event.child} did not stop within ${event.shutdownMs} ms; killed`;
    case 'gave-up':
      return `supervisor ${event.supervisor} gave up on ${event.child}: ${firstLine(event.error)}`;
    default:
      return undefined;
  }
}
