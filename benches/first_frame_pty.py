#!/usr/bin/env python3
"""First screen of a page in a 120x40 pseudo-terminal, for ken and for `less`, alternating
(docs/performance.md, "Issue 15"). Each run forks the command on a new pty of that size and
times it from the fork until a marker text (on the first screen of both) has been written to
the terminal, then kills it. ken's first frame is one write (ratatui draws a frame at once),
and so is less's first screen, so the marker marks the frame.

Usage: benches/first_frame_pty.py RUNS MARKER -- CMD1... -- CMD2...
(environment as given; ken needs KEN_DATA_DIR/KEN_CONFIG_DIR of a synced source)
"""
import fcntl
import os
import pty
import select
import signal
import statistics
import struct
import sys
import termios
import time


def once(cmd, marker):
    start = time.perf_counter()
    pid, fd = pty.fork()
    if pid == 0:
        fcntl.ioctl(0, termios.TIOCSWINSZ, struct.pack("HHHH", 40, 120, 0, 0))
        os.environ["TERM"] = "xterm-256color"
        os.execvp(cmd[0], cmd)
    out = b""
    found = None
    deadline = start + 10
    while time.perf_counter() < deadline:
        r, _, _ = select.select([fd], [], [], 0.5)
        if not r:
            continue
        try:
            chunk = os.read(fd, 65536)
        except OSError:
            break
        if not chunk:
            break
        out += chunk
        if marker in out:
            found = time.perf_counter() - start
            break
    os.kill(pid, signal.SIGKILL)
    os.waitpid(pid, 0)
    os.close(fd)
    if found is None:
        sys.exit(f"{cmd[0]}: marker not seen; output: {out[-400:]!r}")
    return found * 1000


def main():
    runs = int(sys.argv[1])
    marker = sys.argv[2].encode()
    rest = sys.argv[3:]
    cmds, cur = [], None
    for a in rest:
        if a == "--":
            cur = []
            cmds.append(cur)
        else:
            cur.append(a)
    times = [[] for _ in cmds]
    for i in range(runs + 3):
        for c, t in zip(cmds, times):
            ms = once(c, marker)
            if i >= 3:  # warm-up
                t.append(ms)
    for c, t in zip(cmds, times):
        print(
            f"{os.path.basename(c[0]):>8}: median {statistics.median(t):.1f} ms, "
            f"mean {statistics.mean(t):.1f}, min {min(t):.1f}, max {max(t):.1f} ({len(t)} runs)"
        )


if __name__ == "__main__":
    main()
