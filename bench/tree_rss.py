#!/usr/bin/python3
"""Runs a shell command and prints "WALL_S PEAK_TREE_KB PEAK_PROCESS_KB" on one line to the file named first.

    bench/tree_rss.py RESULT_FILE 'COMMAND'

PEAK_TREE_KB is the largest sum of the resident memory of the command and all its descendants, sampled
every 10 ms from /proc: a tool that runs many worker processes is charged for all of them at once, as one
that runs threads in one process is. PEAK_PROCESS_KB is the largest single process (getrusage), what GNU
time's %M reports. Exits with the command's status.
"""
import os
import resource
import subprocess
import sys
import time

PAGE_KB = os.sysconf("SC_PAGE_SIZE") // 1024


def tree_rss_kb(root):
    """the resident memory of root and its descendants, walked through /proc/PID/task/TID/children"""
    total, todo = 0, [root]
    while todo:
        pid = todo.pop()
        try:
            with open(f"/proc/{pid}/statm") as f:
                total += int(f.read().split()[1])
            for tid in os.listdir(f"/proc/{pid}/task"):
                with open(f"/proc/{pid}/task/{tid}/children") as f:
                    todo.extend(int(c) for c in f.read().split())
        except (OSError, ValueError):
            continue  # gone meanwhile
    return total * PAGE_KB


def main():
    out, command = sys.argv[1], sys.argv[2]
    start = time.monotonic()
    proc = subprocess.Popen(["bash", "-c", command])
    peak = 0
    while proc.poll() is None:
        peak = max(peak, tree_rss_kb(proc.pid))
        time.sleep(0.01)
    wall = time.monotonic() - start
    single = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    with open(out, "w") as f:
        f.write(f"{wall:.3f} {peak} {single}\n")
    sys.exit(proc.returncode)


if __name__ == "__main__":
    main()
