"""A benchmark step's wall time and its own peak RSS.

The step runs under a small launcher (`python -S`, about 10 MB) that starts it and reports
wait4's ru_maxrss. Started from the benchmark process directly, a step would report the
benchmark's size instead (the emulator's 10,000 jobs, or the generated repo): Linux keeps in
ru_maxrss the high-water mark of the memory image a process had before exec, and a forked
child shares its parent's image until then. The launcher is the only image a step inherits;
measuring `python -c pass` the same way gives that floor.
"""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Mapping
from pathlib import Path

LAUNCHER = """
import os, subprocess, sys, time
start = time.perf_counter()
process = subprocess.Popen(sys.argv[2:])
_, status, usage = os.wait4(process.pid, 0)
wall = time.perf_counter() - start
with open(sys.argv[1], "w") as report:
    report.write(f"{wall} {usage.ru_maxrss} {os.waitstatus_to_exitcode(status)}")
"""


def measured(argv: list[str], out: Path, err: Path, *, env: Mapping[str, str], cwd: Path) -> tuple[float, int, int]:
    """(wall seconds, peak RSS in KB, exit code) of `argv`; its stdout and stderr go to files."""
    report = out.with_suffix(".rss")
    with out.open("wb") as stdout, err.open("wb") as stderr:
        subprocess.run(
            [sys.executable, "-S", "-c", LAUNCHER, str(report), *argv],
            stdout=stdout,
            stderr=stderr,
            env=dict(env),
            cwd=cwd,
            check=True,
        )
    wall, peak_kb, code = report.read_text().split()
    return float(wall), int(peak_kb), int(code)
