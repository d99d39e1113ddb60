# SPDX-License-Identifier: GPL-2.0-or-later
"""The measuring half of the bench harness (bench/run, bench/lib.sh): every benchmark times the
stock agent and ours with `timed`, alternating between them, and prints its results with
`Table`, which also prints one `ratio:` line per operation for bench/run's summary."""
import os
import statistics
import subprocess
import sys
import tempfile
import time


def timed(argv, env=None, cwd=None, stdin=subprocess.DEVNULL):
    """Run argv once: (wall seconds, CPU seconds of it and every child it waited for, exit code,
    stderr text). CPU is user+system from wait4."""
    # stderr goes to a file, not a pipe: a background child (an ARP sender) that keeps it open
    # must not make the call look longer than it was.
    with tempfile.TemporaryFile() as errf:
        t = time.perf_counter()
        p = subprocess.Popen(argv, env=env, cwd=cwd, stdin=stdin,
                             stdout=subprocess.DEVNULL, stderr=errf)
        _, status, ru = os.wait4(p.pid, 0)
        wall = time.perf_counter() - t
        p.returncode = os.waitstatus_to_exitcode(status)
        errf.seek(0)
        err = errf.read().decode(errors="replace")
    return wall, ru.ru_utime + ru.ru_stime, p.returncode, err


def must(argv, expect=(0,), env=None, cwd=None):
    """`timed`, exiting the benchmark when the exit code is not in `expect`: a benchmark of a
    failing call measures nothing. Returns (wall, cpu)."""
    if isinstance(expect, int):
        expect = (expect,)
    wall, cpu, rc, err = timed(argv, env=env, cwd=cwd)
    if rc not in expect:
        sys.exit(f"{' '.join(argv)} returned {rc}, expected {expect}: {err.strip()[-300:]}")
    return wall, cpu


def median_ms(xs):
    return statistics.median(xs) * 1000 if xs else float("nan")


def ratio(a, b):
    return a / b if b > 0 else float("inf")


class Table:
    """Samples per (operation, who); `show` prints medians side by side with the ratio."""

    def __init__(self, bench, stock="stock", ours="rustha"):
        self.bench, self.stock, self.ours = bench, stock, ours
        self.ops, self.wall, self.cpu = [], {}, {}

    def add(self, op, who, wall, cpu=None):
        if op not in self.ops:
            self.ops.append(op)
        self.wall.setdefault((op, who), []).append(wall)
        if cpu is not None:
            self.cpu.setdefault((op, who), []).append(cpu)

    def medians(self, op, who):
        return median_ms(self.wall.get((op, who), [])), median_ms(self.cpu.get((op, who), []))

    def show(self, title, unit="ms", floor=None):
        """Print the table; `floor` = (wall ms, cpu ms, {op: invocations}) also prints the
        rows less that floor (the agents' own cost)."""
        print(title)
        w = max([20] + [len(op) + 1 for op in self.ops])
        print(f"{'operation':<{w}}{self.stock + ' wall':>12}{self.ours + ' wall':>13}{'ratio':>8}"
              f"{self.stock + ' CPU':>12}{self.ours + ' CPU':>12}{'ratio':>8}")
        for op in self.ops:
            self._row(op, w, 0, 0)
        if floor:
            fw, fc, n = floor
            print("above the floor (the agents' own cost):")
            for op in self.ops:
                self._row(op, w, fw * n.get(op, 1), fc * n.get(op, 1))
        for op in self.ops:
            (sw, sc), (rw, rc) = self.medians(op, self.stock), self.medians(op, self.ours)
            line = f"ratio: {self.bench} {op}: wall {ratio(sw, rw):.1f}x"
            if (op, self.ours) in self.cpu:
                line += f", CPU {ratio(sc, rc):.1f}x"
            print(line)

    def _row(self, op, w, fw, fc):
        (sw, sc), (rw, rc) = self.medians(op, self.stock), self.medians(op, self.ours)
        sw, rw = sw - fw, max(rw - fw, 0.05)
        line = f"{op:<{w}}{sw:>10.1f}ms{rw:>11.1f}ms{ratio(sw, rw):>7.1f}x"
        if (op, self.ours) in self.cpu:
            sc, rc = sc - fc, max(rc - fc, 0.05)
            line += f"{sc:>10.1f}ms{rc:>10.1f}ms{ratio(sc, rc):>7.1f}x"
        print(line)
