/** Supervisor events as the one-line messages a person running `fullstack up` should see. */
import type { SupervisorEvent } from '../../gateway/supervisor/types.js';

export function describeEvent(event: SupervisorEvent): string | undefined {
  switch (event.type) {
    case 'child-exited':
      return event.outcome === 'crash'
        ? `${event.child} crashed: ${event.error ?? 'unknown error'}`
        : undefined;
    case 'child-start-failed':
      return `${event.child} failed to start: ${event.error}`;
    case 'child-restarting':
      return `restarting ${event.child} in ${event.delayMs} ms (attempt ${event.attempt})`;
    case 'child-stop-timeout':
      return `${event.child} did not stop within ${event.shutdownMs} ms; killed`;
    case 'gave-up':
      return `supervisor ${event.supervisor} gave up on ${event.child}: ${event.error}`;
    default:
      return undefined;
  }
}
