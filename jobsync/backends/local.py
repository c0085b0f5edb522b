"""The embedded local workspace: a workspace document in one JSON file.

Writes are atomic (write a temporary file, rename it over the old one), and a lock file beside
the document serialises writers, so two jobsync processes never lose each other's changes.
When the document does not exist yet, it starts as a copy of the workspace's `seed` document
(if workspace.yaml names one), else empty. The connections, DLI queues, DIS streams and GES
graphs workspace.yaml's `local:` lists are added to the document as it is read (DataArts makes
them in the console; here the repo declares them), and kept in it once it is written.
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from filelock import FileLock, Timeout

from jobsync.backends import document_schema
from jobsync.backends.cdmdocument import CdmDocument
from jobsync.backends.document import ENVIRONMENT_LISTS, WorkspaceDocument
from jobsync.backends.fingerprints import with_fingerprints
from jobsync.backends.local_runs import LocalRuns
from jobsync.backends.lock import FileLockStore
from jobsync.core.history import JobVersion
from jobsync.core.model import Kind
from jobsync.core.policies import SnapshotState
from jobsync.core.snapshot import SCHEDULING, STOPPED, Failure, Outcome, Snapshot
from jobsync.errors import RuleError, StateError, UnknownObjectError
from jobsync.fileio import document_lines, write_atomic

if TYPE_CHECKING:
    from jobsync.backends.base import Enterprise

LOCK_TIMEOUT_S = 60


def read_document(path: Path) -> dict[str, Any]:
    """Parse a workspace document, naming the file and line (or field) of any problem."""
    try:
        raw = path.read_bytes()
        data = json.loads(raw.decode("utf-8"))
    except UnicodeDecodeError as error:
        raise StateError(
            f"{path}: not UTF-8: byte 0x{raw[error.start]:02X} at offset {error.start}; a workspace document "
            "is UTF-8 JSON: restore it from a backup or delete it to start empty"
        ) from None
    except json.JSONDecodeError as error:
        raise StateError(
            f"{path}:{error.lineno}:{error.colno}: the workspace document is not valid JSON "
            f"({error.msg}); restore it from a backup or delete it to start empty"
        ) from None
    except RecursionError:
        raise StateError(f"{path}: the workspace document nests too deeply to read") from None
    except OSError as error:
        raise StateError(f"{path}: cannot read the workspace document ({error.strerror})") from None
    if not isinstance(data, dict):
        raise StateError(f"{path}:1: the workspace document must be a JSON object")
    found = document_schema.problems(data)
    if found:
        listed = "\n".join(f"  {problem}" for problem in found)
        raise StateError(
            f"{path}: the workspace document has the wrong shape:\n{listed}\n"
            "fix these fields (README: the local workspace document), restore a backup, or delete it to start empty"
        )
    return data


def with_declared(data: dict[str, Any], declared: Mapping[str, Sequence[str]]) -> dict[str, Any]:
    """`data` with the names workspace.yaml's `local:` declares added to its environment lists."""
    for category, names in declared.items():
        section = ENVIRONMENT_LISTS[category]
        present = data.setdefault(section, [])
        have = {str(item.get("name")) if isinstance(item, dict) else str(item) for item in present}
        for name in names:
            if name not in have:
                present.append({"name": name} if category == "connections" else name)
                have.add(name)
    return data


class LocalWorkspace:
    """A Workspace kept in a JSON document on disk."""

    def __init__(
        self,
        path: Path,
        *,
        seed: Path | None = None,
        label: str | None = None,
        declared: Mapping[str, Sequence[str]] | None = None,
    ) -> None:
        self.path = path
        self.seed = seed
        self.declared = dict(declared or {})
        self.label = label or f"local {path}"
        self._lock = FileLock(str(path) + ".lock", timeout=LOCK_TIMEOUT_S)
        # The document last read or written, with the file's identity then: apply reuses the
        # one its plan read instead of holding a second copy, unless another process wrote.
        self._held: tuple[tuple[int, int, int], WorkspaceDocument] | None = None

    def _identity(self) -> tuple[int, int, int] | None:
        """(inode, mtime, size): every atomic write makes a new inode, so this changes."""
        try:
            stat = self.path.stat()
        except FileNotFoundError:
            return None
        return stat.st_ino, stat.st_mtime_ns, stat.st_size

    def _current(self) -> WorkspaceDocument:
        identity = self._identity()
        if identity is not None and self._held is not None and self._held[0] == identity:
            return self._held[1]
        document = self._load()
        self._held = (identity, document) if identity is not None else None
        return document

    def _load(self) -> WorkspaceDocument:
        if self.path.exists():
            data = read_document(self.path)
        elif self.seed is not None and self.seed.exists():
            data = read_document(self.seed)
        else:
            data = {}
        return WorkspaceDocument(with_declared(data, self.declared))

    def _locked(self) -> FileLock:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        return self._lock

    def snapshot(self, *, state: SnapshotState = "develop", refresh: bool = False) -> Snapshot:  # noqa: ARG002  nothing cached to refresh
        """The document's objects, each with its fingerprint (backends/fingerprints.py: cached
        by the body's text beside the document, so a plan does not rebuild 20,000 canonical forms)."""
        document = self._current()
        identity = self._held[0] if self._held is not None and self._held[1] is document else None
        snapshot = document.snapshot(state)
        if not self.path.parent.is_dir():
            return snapshot
        cache = self.path.with_name(self.path.name + ".fingerprints")
        return dataclasses.replace(snapshot, objects=with_fingerprints(snapshot.objects, cache, identity, state))

    def _change(self, names: Sequence[str], change: Any) -> Outcome:
        outcome: dict[str, Failure | None] = {}
        try:
            with self._locked():
                document = self._current()
                self._held = None  # changed in memory from here until written
                for name in names:
                    try:
                        change(document, name)
                        outcome[name] = None
                    except RuleError as error:
                        outcome[name] = Failure(error.message, error.code)
                write_atomic(self.path, document_lines(document.data))
                identity = self._identity()
                self._held = (identity, document) if identity is not None else None
        except Timeout:
            raise StateError(
                f"{self.path}: another jobsync process holds the workspace lock "
                f"({self._lock.lock_file}); wait for it to finish and retry"
            ) from None
        return outcome

    def write(self, kind: Kind, bodies: Sequence[Mapping[str, Any]], *, user: str, message: str) -> Outcome:
        by_name = {str(body["name"]): body for body in bodies}

        def save(document: WorkspaceDocument, name: str) -> None:
            document.save(kind, by_name[name], user=user, description=message)

        return self._change(list(by_name), save)

    def delete(self, kind: Kind, names: Sequence[str], *, user: str) -> Outcome:
        return self._change(names, lambda document, name: document.delete(kind, name, user=user))

    def rename(self, kind: Kind, renames: Mapping[str, str], *, user: str) -> Outcome:
        by_new = {new: old for old, new in renames.items()}
        return self._change(list(by_new), lambda document, new: document.rename(kind, by_new[new], new, user=user))

    def versions(self, name: str) -> list[JobVersion]:
        try:
            return self._current().versions(name)
        except RuleError:
            raise UnknownObjectError(f"job {name} is not in {self.label}") from None

    def set_scheduling(self, names: Sequence[str], running: bool, *, user: str) -> Outcome:  # noqa: ARG002  no lock to take
        status = SCHEDULING if running else STOPPED
        return self._change(names, lambda document, name: document.set_status(name, status))

    def stop_cdm(self, names: Sequence[str], *, user: str) -> Outcome:  # noqa: ARG002  no lock to take
        return self._change(names, lambda document, name: CdmDocument(document.data).stop(name))

    def read_variables(self) -> list[dict[str, Any]]:
        return self._current().variables()

    def put_variables(self, variables: Sequence[Mapping[str, Any]], *, user: str) -> Failure | None:  # noqa: ARG002  no lock to take
        outcome = self._change(["env"], lambda document, _: document.set_variables(variables))
        return outcome["env"]

    def acting_user(self) -> str | None:
        return None  # the document records workspace.yaml's user

    def state_path(self) -> Path | None:
        return self.path

    def enterprise(self) -> Enterprise | None:
        return None  # one environment, no release packages

    def runs(self) -> LocalRuns:
        """Runs simulated in the document (backends/runs.py), as the emulator simulates them."""
        return LocalRuns(self._current, self._change)

    def lock_store(self) -> FileLockStore:
        """The run lock: a flock on a file beside the document (backends/lock.py)."""
        return FileLockStore(str(self.path) + ".run.lock")

    def close(self) -> None:
        return None
