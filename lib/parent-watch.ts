/**
 * Child processes of `fullstack up` stop when their parent is gone, even when the parent was
 * killed with SIGKILL and had no chance to stop them (Linux has no portable "die with parent"
 * from Node). The check is the parent pid: once the parent dies, the child is re-parented.
 * Stopping goes through SIGTERM, so the child's own clean shutdown runs (a device says goodbye).
 */
export const PARENT_PID_ENV = 'FULLSTACK_PARENT_PID';

export function stopWhenParentDies(intervalMs = 1000): void {
  const expected = Number(process.env[PARENT_PID_ENV] ?? process.ppid);
  const timer = setInterval(() => {
    if (process.ppid !== expected) {
      clearInterval(timer);
      process.kill(process.pid, 'SIGTERM');
    }
  }, intervalMs);
  timer.unref();
}
