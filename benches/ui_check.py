#!/usr/bin/env python3
# Usage: KEN_BENCH_40K=…/bench-corpus/40k KEN_BENCH_DIR=/tmp/uicheck-bench benches/ui_check.py BIN RUNS
# (KEN_BENCH_DIR/data, KEN_BENCH_DIR/config: the data and config dirs, synced once with
# `ken --source kb=$KEN_BENCH_40K sync`; the job's log files are written there too.)
# The terminal UI's problems job on the 40k corpus: each run starts ken in a 120x40 tmux pane
# on a standard of copy050, waits for the job's line in KEN_BENCH_CHECK_LOG, then opens a
# plain page with `:` (its own check after the change; none before), and measures how long
# the screen takes to answer `j` (scroll one line) while the job runs, from send-keys to the
# pane showing the change (tmux capture-pane polled).
import os, subprocess, sys, time, statistics
bin_, runs = sys.argv[1], int(sys.argv[2])
D = os.environ.get("KEN_BENCH_DIR", "/tmp/uicheck-bench")
SRC = "kb=" + os.environ.get("KEN_BENCH_40K", "target/bench-corpus/40k")
PAGE = "kb:copy050/standards/scs-0217-v1-cluster-hardening.md"
SECOND = "copy050/docs/02-iaas/index.md"
T = ["tmux", "-L", "uicheckbench"]
env = dict(os.environ, KEN_DATA_DIR=f"{D}/data", KEN_CONFIG_DIR=f"{D}/config")
def cap():
    return subprocess.run(T + ["capture-pane", "-p", "-t", "ucb"], capture_output=True, text=True).stdout
def lines(log):
    try:
        return open(log).read().splitlines()
    except FileNotFoundError:
        return []
keys = []
for i in range(runs):
    log = f"{D}/log-{os.path.basename(bin_)}-{i}"
    if os.path.exists(log): os.remove(log)
    cmd = f"env KEN_BENCH_CHECK_LOG={log} {bin_} --offline --source {SRC} {PAGE}"
    for attempt in range(20):
        if subprocess.run(T + ["new-session", "-d", "-s", "ucb", "-x", "120", "-y", "40", cmd], env=env).returncode == 0:
            break
        time.sleep(0.2)
    t0 = time.monotonic()
    while "cluster hardening" not in cap():
        if time.monotonic() - t0 > 30: sys.exit("no first frame")
    # Keys while the job runs (or has run): each `j` answered when the pane changes.
    for k in range(6):
        before = cap()
        s = time.monotonic()
        subprocess.run(T + ["send-keys", "-t", "ucb", "j"])
        while cap() == before:
            if time.monotonic() - s > 10: break
        keys.append((time.monotonic() - s) * 1000)
    while not lines(log):
        if time.monotonic() - t0 > 60: sys.exit("no check answer")
    job_done = time.monotonic() - t0
    subprocess.run(T + ["send-keys", "-t", "ucb", ":"]); time.sleep(0.2)
    subprocess.run(T + ["send-keys", "-t", "ucb", "-l", SECOND]); time.sleep(0.1)
    subprocess.run(T + ["send-keys", "-t", "ucb", "Enter"])
    s = time.monotonic()
    while len(lines(log)) < 2 and time.monotonic() - s < 3:
        time.sleep(0.05)
    subprocess.run(T + ["kill-server"], capture_output=True)
    print(f"run {i}: first answer {job_done*1000:.0f} ms after start;", " | ".join(lines(log)))
print("keys: median %.1f ms, max %.1f ms over %d" % (statistics.median(keys), max(keys), len(keys)))
