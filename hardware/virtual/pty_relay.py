#!/usr/bin/env python3
"""Relay between a pseudo-terminal and this process's stdin/stdout, for virtual serial boards.

Node.js has no openpty(), Python's standard library does. This opens a pty pair, puts it in raw
mode, and relays bytes: what a program writes to the slave (e.g. /dev/pts/5) comes out on stdout;
what arrives on stdin goes to the slave's reader. Control lines go to stderr:
    path /dev/pts/N   once, when ready
    open              a program opened the slave
    hangup            the last program closed the slave
The relay keeps no slave descriptor of its own, so that the master sees POLLHUP exactly while no
program has the slave open (Linux sets TTY_OTHER_CLOSED on the master). Bytes from stdin while
nobody has the slave open are dropped, as a board's output is lost with no host listening;
bytes the slave's reader does not take are held up to 64 KiB, then dropped (a UART overrun).
When stdin closes, the relay closes the master: the slave's reader gets EIO (the "unplug").
"""
import os
import select
import sys
import time
import tty

HUP_POLL_SECONDS = 0.01
# Bytes waiting for room in the slave's input queue; past this the reader is not reading and
# further bytes are dropped, as a UART's receiver overruns.
MAX_PENDING = 65536


def control(line):
    sys.stderr.write(line + "\n")
    sys.stderr.flush()


def write_all(fd, data):
    """Writes everything to a blocking descriptor (stdout), across partial writes."""
    view = memoryview(data)
    while view:
        view = view[os.write(fd, view):]


def main():
    master, slave = os.openpty()
    tty.setraw(slave)
    path = os.ttyname(slave)
    os.close(slave)
    stdin = sys.stdin.fileno()
    stdout = sys.stdout.fileno()
    os.set_blocking(master, False)
    poller = select.poll()
    poller.register(master, select.POLLIN)
    poller.register(stdin, select.POLLIN)
    control("path " + path)
    is_open = False
    pending = b""
    while True:
        poller.modify(master, select.POLLIN | (select.POLLOUT if pending else 0))
        # While nobody has the slave open, poll() reports POLLHUP at once: check often. With bytes
        # pending, retry soon too: a pty master does not always signal POLLOUT when room appears.
        events = dict(poller.poll(1000 if is_open and not pending else 10))
        master_events = events.get(master, 0)
        hung_up = bool(master_events & select.POLLHUP)
        if hung_up and is_open:
            is_open = False
            pending = b""
            control("hangup")
        elif not hung_up and not is_open:
            is_open = True
            control("open")
        # Read even on hangup: a program that writes and closes at once leaves its last bytes in
        # the master's queue, and a real UART would still have sent them.
        if master_events & select.POLLIN:
            try:
                data = os.read(master, 4096)
            except OSError:
                data = b""  # EAGAIN, or EIO as the slave closes: nothing to relay
            if data:
                write_all(stdout, data)
        stdin_events = events.get(stdin, 0)
        if stdin_events & (select.POLLIN | select.POLLHUP):
            data = os.read(stdin, 4096)
            if not data:
                break
            if is_open and len(pending) < MAX_PENDING:
                pending += data
        if pending and is_open and not hung_up:
            try:
                pending = pending[os.write(master, pending):]
            except BlockingIOError:
                pass  # the slave's input queue is full: try again when poll() says POLLOUT
        if hung_up:
            time.sleep(HUP_POLL_SECONDS)
    os.close(master)


if __name__ == "__main__":
    try:
        main()
    except KeyboardInterrupt:
        pass
