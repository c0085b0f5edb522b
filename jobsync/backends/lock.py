"""The workspace lock: one jobsync run at a time changes (or exports) a workspace.

Without it, two applies from the same commit each submit every changed job (two new versions
each) and the slower one fails halfway on objects the faster one created; an export that
overlaps an apply commits the workspace as it was before the apply.

A lock is held by one run and says who: a lock id, the user, the host, the process, when it
started and the command. A second run waits in line (`on_wait` is told once who it waits
for) until `timeout_s`, then fails naming the holder and how to break a lock whose holder is
gone (`jobsync force-unlock -w W LOCK_ID`).

Each backend keeps the lock where its own workspace lives (a `LockStore`):

* local: an OS file lock (flock) on a file beside the workspace document. The kernel drops it
  when the process ends, even on SIGKILL, so a local lock is never stale; the holder's record
  is a JSON file beside it.
* dataarts: a marker script whose name is fixed (backends/dataarts/lock.py). Script names are
  unique in a workspace and the service refuses a create with "name exists" (DLF.0202), so
  the service itself decides which of two racing creates wins. A killed run leaves its marker
  behind: force-unlock removes it.
"""

from __future__ import annotations

import getpass
import json
import os
import socket
import sys
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import asdict, dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Protocol

from jobsync.errors import JobsyncError
from jobsync.fileio import write_atomic

DEFAULT_TIMEOUT_S = 300.0
POLL_S = 0.2  # how often a waiting run asks again


@dataclass(frozen=True)
class LockInfo:
    """Who holds a workspace lock."""

    id: str
    workspace: str
    user: str
    host: str
    pid: int
    started: str  # ISO 8601, UTC
    command: str

    def describe(self) -> str:
        return (
            f"{self.user}@{self.host} (pid {self.pid}) since {self.started}, running `{self.command}` "
            f"(lock id {self.id})"
        )

    def to_json(self) -> str:
        return json.dumps(asdict(self), ensure_ascii=False)

    @classmethod
    def from_json(cls, text: str) -> LockInfo | None:
        """The record, or None when `text` is not one (a half-written or foreign file)."""
        try:
            data = json.loads(text)
        except ValueError:
            return None
        if not isinstance(data, dict):
            return None
        try:
            return cls(
                id=str(data["id"]),
                workspace=str(data["workspace"]),
                user=str(data["user"]),
                host=str(data["host"]),
                pid=int(data["pid"]),
                started=str(data["started"]),
                command=str(data["command"]),
            )
        except (KeyError, TypeError, ValueError):
            return None


def new_info(workspace: str, command: str) -> LockInfo:
    try:
        user = getpass.getuser()
    except (KeyError, OSError):
        user = "unknown"
    return LockInfo(
        id=uuid.uuid4().hex[:12],
        workspace=workspace,
        user=user,
        host=socket.gethostname(),
        pid=os.getpid(),
        started=datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ"),
        command=command,
    )


def command_line(argv: list[str] | None = None) -> str:
    """The command as typed, for the lock record (`jobsync apply -w dev`)."""
    args = list(sys.argv if argv is None else argv)
    if args:
        args[0] = Path(args[0]).name
        if args[0] in {"__main__.py", "-m"}:
            args[0] = "jobsync"
    return " ".join(args) or "jobsync"


class LockStore(Protocol):
    """Where one backend keeps its workspace's lock."""

    def try_acquire(self, info: LockInfo) -> LockInfo | None:
        """Take the lock for `info`: None when taken, else the current holder (its record, or
        a placeholder when the holder's record cannot be read yet)."""
        ...

    def release(self, info: LockInfo) -> None:
        """Give the lock back, if `info` still holds it."""
        ...

    def holder(self) -> LockInfo | None:
        """The current holder, or None."""
        ...

    def force_release(self, lock_id: str) -> LockInfo:
        """Remove the lock whose id is `lock_id` (LockError if another id holds it or none)."""
        ...


class LockError(JobsyncError):
    """The workspace lock could not be taken (or broken) as asked."""

    def __init__(self, message: str, holder: LockInfo | None = None) -> None:
        self.holder = holder
        super().__init__(message)


def unknown_holder(workspace: str) -> LockInfo:
    return LockInfo(id="?", workspace=workspace, user="?", host="?", pid=0, started="?", command="?")


def acquire(
    store: LockStore,
    info: LockInfo,
    *,
    timeout_s: float = DEFAULT_TIMEOUT_S,
    on_wait: Callable[[str], None] = lambda _: None,
    clock: Callable[[], float] = time.monotonic,
    pause: Callable[[float], None] = time.sleep,
) -> None:
    """Take the lock, waiting up to `timeout_s` for the holder to finish."""
    deadline = clock() + max(0.0, timeout_s)
    told: str | None = None
    while True:
        holder = store.try_acquire(info)
        if holder is None:
            return
        if told != holder.id and holder.id != "?":
            on_wait(
                f"workspace {info.workspace} is locked by {holder.describe()}; "
                f"waiting up to {timeout_s:g} s (--lock-timeout)"
            )
            told = holder.id
        if clock() >= deadline:
            raise LockError(
                f"workspace {info.workspace} is still locked by {holder.describe()} after {timeout_s:g} s; "
                f"wait for that run to finish, or pass a longer --lock-timeout. If that run is gone "
                f"(killed, its machine lost), break the lock with "
                f"`jobsync force-unlock -w {info.workspace} {holder.id}`",
                holder,
            )
        pause(POLL_S)


class LockLostError(LockError):
    """The run's own lock is gone (broken by force-unlock) before a write."""


# The lock this run holds (set by `held`), so the steps that write can check it is still theirs.
_HELD: ContextVar[tuple[LockStore, LockInfo] | None] = ContextVar("jobsync_lock_held", default=None)


def ensure_held(before: str) -> None:
    """Stop (LockLostError) when the lock this run took is no longer its own: force-unlock broke
    it, and another run may be changing the workspace. Called before each write; a no-op
    outside `held` (a program applying without the lock)."""
    current = _HELD.get()
    if current is None:
        return
    store, info = current
    holder = store.holder()
    if holder is not None and holder.id == info.id:
        return
    now = f"it is now held by {holder.describe()}" if holder is not None and holder.id != "?" else "nobody holds it"
    raise LockLostError(
        f"stopped before {before}: the lock of workspace {info.workspace} (lock id {info.id}) is no longer this "
        f"run's ({now}; someone ran force-unlock); nothing more was written. Check what the other run did, "
        "then plan and apply again",
        holder,
    )


def running_here(info: LockInfo) -> str | None:
    """The command line of the holder's process when that process is alive on this host, else None."""
    if info.host != socket.gethostname() or info.pid <= 0:
        return None
    try:
        os.kill(info.pid, 0)  # signal 0: only asks whether the process exists
    except ProcessLookupError:
        return None
    except PermissionError:
        pass  # alive, another user's
    except OSError:
        return None
    try:
        text = Path(f"/proc/{info.pid}/cmdline").read_bytes().replace(b"\0", b" ").decode("utf-8", "replace")
    except OSError:
        text = ""
    return text.strip() or info.command


def break_lock(store: LockStore, lock_id: str, *, force: bool = False) -> LockInfo:
    """force-unlock: remove the lock with this id, unless its holder is still running on this
    host (then LockError naming its pid and command, unless `force`)."""
    current = store.holder()
    if current is not None and current.id == lock_id and not force:
        running = running_here(current)
        if running is not None:
            raise LockError(
                f"refused: lock {lock_id} of workspace {current.workspace} is held by pid {current.pid} on this "
                f"host, which is still running `{running}`; its holder is not gone. Wait for it to finish or stop "
                "it; pass --force to break the lock anyway (that run goes on without it)",
                current,
            )
    return store.force_release(lock_id)


@contextmanager
def held(
    store: LockStore,
    workspace: str,
    command: str,
    *,
    timeout_s: float = DEFAULT_TIMEOUT_S,
    on_wait: Callable[[str], None] = lambda _: None,
) -> Iterator[LockInfo]:
    """The lock, for the duration of the block; given back even when the block fails."""
    info = new_info(workspace, command)
    acquire(store, info, timeout_s=timeout_s, on_wait=on_wait)
    token = _HELD.set((store, info))
    try:
        yield info
    finally:
        _HELD.reset(token)
        store.release(info)


def describe_json(info: LockInfo | None) -> dict[str, Any] | None:
    return None if info is None else asdict(info)


class FileLockStore:
    """The local backend's lock: flock on `path`, the holder's record in `path` + ".json".

    The kernel releases a flock when its process ends, however it ends, so this lock cannot
    go stale. force-unlock removes the file: a run still holding the old file's lock keeps
    running, and a new run locks a new file (documented: break only a lock whose holder is gone).
    """

    def __init__(self, path: os.PathLike[str] | str) -> None:
        self.path = Path(path)
        self.record = self.path.with_name(self.path.name + ".json")
        self._fd: int | None = None

    def try_acquire(self, info: LockInfo) -> LockInfo | None:
        import fcntl  # POSIX; the local backend's lock needs it

        self.path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            os.close(fd)
            return self.holder() or unknown_holder(info.workspace)
        try:
            same = os.fstat(fd).st_ino == self.path.stat().st_ino
        except FileNotFoundError:
            same = False
        if not same:  # force-unlocked between our open and our lock: try the new file
            os.close(fd)
            return unknown_holder(info.workspace)
        self._fd = fd
        write_atomic(self.record, info.to_json() + "\n")
        return None

    def release(self, info: LockInfo) -> None:
        if self._fd is None:
            return
        current = self.holder()
        if current is not None and current.id == info.id:
            self.record.unlink(missing_ok=True)
        os.close(self._fd)  # closing the file drops the flock
        self._fd = None

    def holder(self) -> LockInfo | None:
        try:
            with self.record.open(encoding="utf-8", errors="replace") as handle:
                return LockInfo.from_json(handle.read(4096))
        except OSError:
            return None

    def force_release(self, lock_id: str) -> LockInfo:
        current = self.holder()
        if current is None or current.id != lock_id:
            raise LockError(_not_held(lock_id, current), current)
        self.record.unlink(missing_ok=True)
        self.path.unlink(missing_ok=True)
        return current


def _not_held(lock_id: str, current: LockInfo | None) -> str:
    if current is None:
        return f"no lock with id {lock_id} is held on this workspace (it is not locked); nothing to do"
    return (
        f"the workspace is locked by {current.describe()}, not by lock id {lock_id}; "
        f"check the id (force-unlock takes the id the waiting run printed)"
    )
