"""The dataarts backend's workspace lock: a marker script named `jobsync_workspace_lock`.

DataArts has no lock API (reference §2.6). What it does make atomic is a name: a script name
is unique in a workspace, and `POST scripts` with a name in use is refused with DLF.0202
("the script name is used by another script", reference §1). So taking the lock is creating
the marker script, and when two runs create it at once the service's own answer decides who
holds it: one create succeeds, the other is refused. The marker's content is the holder's
record (JSON: id, user, host, pid, start, command); giving the lock back deletes the marker.

Why it is safe: no run ever writes the workspace without a successful create of the marker
first, and a create is refused while the marker exists, whatever jobsync version or machine
the other run is on. A lost answer to the create is resolved by reading the marker back: it
is ours when its content carries our lock id. A run that is killed leaves its marker; the
next run waits, then names it and `jobsync force-unlock -w W LOCK_ID` deletes it (only when
the id matches, so a lock taken since is never broken by mistake).

The marker lives in the folder /jobsync and jobsync's snapshot leaves it out, so plan never
shows it and prune never deletes it.
"""

from __future__ import annotations

import contextlib
from typing import Any

from jobsync.backends.dataarts.http import SignedClient, write_once
from jobsync.backends.lock import LockError, LockInfo, _not_held, unknown_holder
from jobsync.errors import ServiceError

MARKER_NAME = "jobsync_workspace_lock"
MARKER_DIRECTORY = "/jobsync"


def marker_body(info: LockInfo) -> dict[str, Any]:
    return {
        "name": MARKER_NAME,
        "type": "Shell",
        "directory": MARKER_DIRECTORY,
        "content": info.to_json(),
        "description": f"jobsync workspace lock held by {info.user}@{info.host} since {info.started}; "
        f"`jobsync force-unlock -w {info.workspace} {info.id}` if that run is gone",
    }


class MarkerLockStore:
    """The workspace lock as a marker script (see the module docstring)."""

    def __init__(self, client: SignedClient, workspace: str) -> None:
        self.client = client
        self.workspace = workspace

    def _path(self, *segments: str) -> str:
        return self.client.path("scripts", *segments)

    def try_acquire(self, info: LockInfo) -> LockInfo | None:
        def send() -> None:
            self.client.call("POST", self._path(), body=marker_body(info), replay_safe=False)

        def ours() -> bool:
            current = self.holder()
            return current is not None and current.id == info.id

        try:
            write_once(send, ours)
        except ServiceError as error:
            current = self.holder()
            if current is not None:
                return current
            if error.status == 400 and error.code in ("DLF.0202", "DLF.6201"):
                return unknown_holder(info.workspace)  # released or not yet readable: ask again
            raise
        return None

    def release(self, info: LockInfo) -> None:
        current = self.holder()
        if current is None or current.id != info.id:
            return  # broken by force-unlock: another run may hold it now
        with contextlib.suppress(ServiceError):  # gone already
            self.client.call("DELETE", self._path(MARKER_NAME))

    def holder(self) -> LockInfo | None:
        try:
            body = self.client.get_json(self._path(MARKER_NAME))
        except ServiceError:
            return None
        content = body.get("content") if isinstance(body, dict) else None
        if not isinstance(content, str):
            return unknown_holder(self.workspace) if body else None
        return LockInfo.from_json(content) or unknown_holder(self.workspace)

    def force_release(self, lock_id: str) -> LockInfo:
        current = self.holder()
        if current is None or current.id != lock_id:
            raise LockError(_not_held(lock_id, current), current)
        self.client.call("DELETE", self._path(MARKER_NAME))
        return current
