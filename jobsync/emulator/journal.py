"""The emulator's state on disk: the state file, and a journal of what changed since it was written.

`emulator serve --state FILE` keeps two files:

    FILE           the whole state document (docs/emulator.md), as the emulator last folded it
    FILE.journal   one JSON line per request that changed something, since FILE was written

A request that changes nothing writes nothing (a GET, a batch export POST, a refused write).
A request that changes something appends one line holding only what it changed: the objects it
touched, whole ({"put": [workspace, env, section, name], "entry": {...}} or {"drop": [...]}),
and the rest of the state ({"rest": ...}: credentials, tokens, environment lists, variables,
pending items...; everything but the objects) when that part changed. One request is one line
written with one call, so a kill at any moment leaves FILE whole and the journal readable up to
its last complete line; a torn last line is ignored.

The journal's first line names the FILE it belongs to (the SHA-256 of its bytes). When the
journal has grown past FILE's size (and at least `COMPACT_AT` bytes), when the emulator stops,
and when it starts on a FILE with a journal, the state is folded: FILE is written whole
(atomically) and the journal starts again. A journal whose first line names another FILE (FILE
was edited or replaced after the emulator was killed) is set aside as FILE.journal.stale, with a
warning, and FILE is used as it is.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

from jobsync.fileio import document_lines, write_atomic

OBJECT_SECTIONS = ("jobs", "scripts", "resources")
ENVIRONMENTS = ("", "production")  # "": the workspace document; "production": its production environment
HEADER = "jobsync-emulator-journal"
COMPACT_AT = 4 * 2**20


def journal_path(path: Path) -> Path:
    return path.with_name(path.name + ".journal")


def compact_text(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


def skeleton(data: Mapping[str, Any]) -> dict[str, Any]:
    """The state without its objects: small, and compared whole after each writing request."""
    rest = {key: value for key, value in data.items() if key != "workspaces"}
    rest["workspaces"] = {ws: _bare(document) for ws, document in (data.get("workspaces") or {}).items()}
    return rest


def _bare(document: Mapping[str, Any]) -> dict[str, Any]:
    bare = {key: value for key, value in document.items() if key not in OBJECT_SECTIONS}
    if isinstance(bare.get("production"), dict):
        bare["production"] = _bare(bare["production"])
    return bare


def environment_of(document: dict[str, Any], env: str) -> dict[str, Any] | None:
    if not env:
        return document
    found = document.get(env)
    return found if isinstance(found, dict) else None


# -- reading ---------------------------------------------------------------------------------


class Replay:
    """Applies journal records to a state document, with an index by name per section."""

    def __init__(self, data: dict[str, Any]) -> None:
        self.data = data
        self._index: dict[tuple[str, str, str], dict[str, int]] = {}

    def section(self, ws: str, env: str, section: str) -> list[dict[str, Any]] | None:
        document = (self.data.get("workspaces") or {}).get(ws)
        found = environment_of(document, env) if isinstance(document, dict) else None
        return None if found is None else found.setdefault(section, [])

    def positions(self, ws: str, env: str, section: str, entries: list[dict[str, Any]]) -> dict[str, int]:
        key = (ws, env, section)
        if key not in self._index:
            self._index[key] = {
                str((entry.get("definition") or {}).get("name")): index for index, entry in enumerate(entries)
            }
        return self._index[key]

    def apply(self, record: Mapping[str, Any]) -> None:
        for change in record.get("changes") or ():
            if "rest" in change:
                self.rest(change["rest"])
                continue
            ws, env, section, name = change.get("put") or change["drop"]
            entries = self.section(ws, env, section)
            if entries is None:
                continue
            positions = self.positions(ws, env, section, entries)
            if "put" in change and name in positions:
                entries[positions[name]] = change["entry"]
            elif "put" in change:
                positions[name] = len(entries)
                entries.append(change["entry"])
            elif name in positions:
                del entries[positions.pop(name)]
                self._index.pop((ws, env, section))  # positions after it moved

    def rest(self, rest: Mapping[str, Any]) -> None:
        old = self.data.get("workspaces") or {}
        self.data.clear()
        self.data.update({key: value for key, value in rest.items() if key != "workspaces"})
        self.data["workspaces"] = {
            ws: _with_objects(document, old.get(ws) or {}) for ws, document in (rest.get("workspaces") or {}).items()
        }
        self._index.clear()


def _with_objects(bare: Mapping[str, Any], old: Mapping[str, Any]) -> dict[str, Any]:
    document = dict(bare)
    if isinstance(document.get("production"), dict):
        held = old.get("production")
        document["production"] = _with_objects(document["production"], held if isinstance(held, dict) else {})
    for section in OBJECT_SECTIONS:
        document[section] = old.get(section) or []
    return document


@dataclass
class StoredState:
    """What FILE and FILE.journal hold: the state, the digest of FILE when the state is FILE's
    as it is (None when a journal was applied: FILE must be folded), and warnings."""

    data: Any
    base: str | None
    warnings: list[str] = field(default_factory=list)


def read_state(path: Path) -> StoredState:
    """The state of FILE with FILE.journal applied. Raises OSError or ValueError when FILE
    cannot be read as JSON."""
    raw = path.read_bytes()
    data = json.loads(raw)
    journal = journal_path(path)
    if not journal.exists() or not isinstance(data, dict):
        return StoredState(data, digest(raw))
    lines = journal.read_bytes().split(b"\n")
    try:
        header = json.loads(lines[0])
    except ValueError:
        header = None
    if not isinstance(header, dict) or header.get(HEADER) != 1 or header.get("base") != digest(raw):
        journal.replace(journal.with_name(journal.name + ".stale"))
        warning = f"{journal} does not belong to {path} (edited since?); set aside as {journal.name}.stale"
        return StoredState(data, digest(raw), [warning])
    replay = Replay(data)
    for line in lines[1:-1]:  # the last element is after the last newline: empty, or a torn line
        try:
            record = json.loads(line)
        except ValueError:
            break
        replay.apply(record)
    return StoredState(replay.data, None)


def digest(raw: bytes) -> str:
    return hashlib.sha256(raw).hexdigest()


# -- writing ---------------------------------------------------------------------------------


class Journal:
    """FILE and FILE.journal of a running emulator. Not thread-safe: the caller serialises."""

    def __init__(self, path: Path, base: str | None = None) -> None:
        self.path = path
        self.base = base  # digest of FILE as it is on disk, when known
        self.size = path.stat().st_size if base is not None else 0
        self._handle: IO[bytes] | None = None
        self.written = 0

    def append(self, changes: list[str]) -> None:
        """One line for one request's changes (each a JSON object's text)."""
        if self._handle is None:
            assert self.base is not None, "fold() first: no FILE to journal against"
            self._start(self.base)
        line = ('{"changes":[' + ",".join(changes) + "]}\n").encode()
        assert self._handle is not None
        self._handle.write(line)
        self._handle.flush()
        self.written += len(line)

    def is_due(self) -> bool:
        return self.written > max(COMPACT_AT, self.size)

    def fold(self, data: Mapping[str, Any]) -> None:
        """Write FILE whole, then start an empty journal naming it."""
        hasher = hashlib.sha256()
        size = 0

        def hashed() -> Iterator[str]:
            nonlocal size
            for chunk in document_lines(data):
                encoded = chunk.encode()
                hasher.update(encoded)
                size += len(encoded)
                yield chunk

        write_atomic(self.path, hashed())
        self.size = size
        self._start(hasher.hexdigest())

    def _start(self, base: str) -> None:
        self.close()
        self.base = base
        header = (compact_text({HEADER: 1, "base": base}) + "\n").encode()
        journal = journal_path(self.path)
        write_atomic(journal, header)
        self._handle = journal.open("ab")
        self.written = 0

    def close(self, *, remove: bool = False) -> None:
        if self._handle is not None:
            self._handle.close()
            self._handle = None
        if remove:
            journal_path(self.path).unlink(missing_ok=True)
