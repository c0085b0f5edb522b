"""Parsing repo files on every core: a process pool, sized to the machine, used only when there
are enough files to parse for it to pay (starting it costs about a quarter of a second).

`JOBSYNC_WORKERS` sets the number of processes (1: parse in this process; tests use 2 to run
the pool on a few files). The pool is started through a fork server, never by forking this
process: a plan parses while another thread reads the workspace, and a fork would copy that
thread's locks mid-use.
"""

from __future__ import annotations

import itertools
import math
import multiprocessing
import os
from collections.abc import Callable, Iterable
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from typing import Any, TypeVar

POOL_FROM = 300  # files to parse before a pool pays for its start
PER_WORKER = 150  # at least this many files per process
CHUNK = 32
BATCH = 1000  # jobs handed to the pool at a time

T = TypeVar("T")
R = TypeVar("R")


def cores() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


def pool_size(files: int) -> int:
    """Processes to parse `files` files with: 1 (this process) unless it pays."""
    setting = os.environ.get("JOBSYNC_WORKERS", "").strip()
    if setting.isdigit() and int(setting) > 0:
        return int(setting) if files else 1
    if files < POOL_FROM:
        return 1
    return max(1, min(cores(), math.ceil(files / PER_WORKER)))


def _context() -> Any:
    context = multiprocessing.get_context("forkserver")
    context.set_forkserver_preload(["jobsync.repo.files", "jobsync.repo.render"])
    return context


def warm_up(files: int) -> None:
    """Start the fork server (a Python importing the parser, about 0.3 s) in the background
    when `files` files may need parsing, so it is ready when they are known."""
    if pool_size(files) > 1:
        _context()
        from multiprocessing import forkserver

        forkserver.ensure_running()


def run_all(function: Callable[[T], R], jobs: Iterable[T], count: int) -> list[R]:
    """function(job) for each of the `count` jobs, in order: on a pool sized by pool_size, or
    here. Jobs are taken a batch at a time, so only a batch of them is held at once. `function`
    must be a module-level function of jobsync.repo (the fork server imports those)."""
    size = pool_size(count)
    if size <= 1:
        return [function(job) for job in jobs]
    found: list[R] = []
    pending = iter(jobs)
    try:
        with ProcessPoolExecutor(size, mp_context=_context()) as pool:
            while batch := list(itertools.islice(pending, BATCH)):
                found += pool.map(function, batch, chunksize=max(1, min(CHUNK, len(batch) // (4 * size))))
    except (BrokenProcessPool, OSError):  # no processes to be had (a sandbox): work here
        return found + [function(job) for job in pending]
    return found
