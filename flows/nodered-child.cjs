// Node-RED as a child of `fullstack up`: the same red.js, plus a watch on the parent process,
// so that Node-RED stops (through its own SIGTERM handler) when `fullstack up` is gone, even
// after a SIGKILL. CommonJS because red.js is.
const expected = Number(process.env.FULLSTACK_PARENT_PID || process.ppid);
const timer = setInterval(() => {
  if (process.ppid !== expected) {
    clearInterval(timer);
    process.kill(process.pid, 'SIGTERM');
  }
}, 1000);
timer.unref();
require('node-red/red.js');
