"""The change-hint cache of the dataarts backend: job bodies from earlier reads, keyed by what
the job list says about each job, so a plan exports only the jobs that changed.

The V1 job list has no ETag, version or hash (reference §3); per job it gives `lastUpdateTime`
(epoch ms), `lastUpdateUser`, `createTime`, `path` and `jobType`. A cached body is used only
when all five are what they were when the body was read; anything else means "read it again":

* an edit by anyone, in the console, through the API or through an import, moves
  `lastUpdateTime` (and `lastUpdateUser` when someone else made it);
* a delete and re-create under the same name gives a new `createTime`;
* a job whose list item has no `lastUpdateTime` is never answered from the cache;
* only the development state is cached: a version submitted without an edit changes the
  submitted state and nothing the list shows, so `export --status submitted` reads all.

Residual risk, the service's clock: two saves of one job by the same user within the same
millisecond would look alike. The emulator makes `lastUpdateTime` strictly increase per job;
for the real service, a body is only cached when its `lastUpdateTime` is at least `SETTLE_MS`
older than the service's own clock (the `Date` header of the list that preceded the read), so
a save in the same millisecond as the read cannot hide behind it. `plan --refresh` reads
everything and rewrites the cache.

The file is `<repo>/.jobsync/cache/<workspace>.json` (ignored by git), written atomically; it
names the endpoint, project and workspace id it belongs to and is ignored when they differ.
Each body is kept as its JSON text, beside its canonical fingerprint and its tags: loading
the cache builds no body, and the snapshot decodes one only when something reads it
(core/snapshot.py RemoteObject), so a plan of 10,000 unchanged jobs holds text, not trees.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from jobsync.core.model import Kind, body_text
from jobsync.core.normalize import body_fingerprint
from jobsync.core.rules import job_tags
from jobsync.fileio import document_lines, write_atomic

FORMAT = 4  # 2: each entry keeps the canonical fingerprint of its body; 3: the body as JSON text, and tags;
# 4: the canonical form compares node and property order: older fingerprints are stale
SETTLE_MS = 2_000  # the Date header has 1 s resolution; 1 s more for clock spread
HINTS = ("lastUpdateTime", "lastUpdateUser", "createTime", "path", "jobType")


def hint_of(item: Mapping[str, Any]) -> list[Any] | None:
    """The list item's change hint, or None when it has no lastUpdateTime (always re-read)."""
    if item.get("lastUpdateTime") in (None, ""):
        return None
    return [item.get(key) for key in HINTS]


@dataclass(frozen=True)
class Stored:
    """A job body as the cache keeps it: its JSON text, canonical fingerprint and tags."""

    text: str
    digest: str
    tags: tuple[str, ...]

    @classmethod
    def from_body(cls, body: Mapping[str, Any]) -> Stored:
        return cls(body_text(body), body_fingerprint(Kind.JOB, body), tuple(sorted(job_tags(body))))

    @classmethod
    def of(cls, entry: Mapping[str, Any]) -> Stored | None:
        """An entry read from the file, if it has the fields a FORMAT 3 entry has."""
        text, digest, tags = entry.get("body"), entry.get("digest"), entry.get("tags")
        if not (isinstance(text, str) and isinstance(digest, str) and isinstance(tags, list)):
            return None
        return cls(text, digest, tuple(str(tag) for tag in tags))


class JobCache:
    """Development-state job bodies by name, each with the list hint it was read under.

    `owner` identifies the workspace (endpoint, project, workspace id). Not thread-safe:
    the backend calls it from one thread.
    """

    def __init__(self, path: Path | None, owner: str) -> None:
        self.path = path
        self.owner = owner
        self._entries: dict[str, dict[str, Any]] | None = None  # read on first use
        self.dirty = False

    @property
    def entries(self) -> dict[str, dict[str, Any]]:
        """The cached jobs, read from disk the first time they are needed (in the reading
        thread, after the list, rather than while the backend is built)."""
        if self._entries is None:
            self._entries = self._load(self.path) if self.path is not None else {}
        return self._entries

    @entries.setter
    def entries(self, value: dict[str, dict[str, Any]]) -> None:
        self._entries = value

    def __repr__(self) -> str:
        held = "not read yet" if self._entries is None else f"{len(self._entries)} jobs"
        return f"JobCache({str(self.path)!r}, {held})"

    def _load(self, path: Path) -> dict[str, dict[str, Any]]:
        try:
            data = json.loads(path.read_bytes())
        except (OSError, ValueError):
            return {}  # missing or unreadable: start empty, the next save replaces it
        if not isinstance(data, dict) or data.get("format") != FORMAT or data.get("owner") != self.owner:
            return {}
        jobs = data.get("jobs")
        return jobs if isinstance(jobs, dict) else {}

    def get(self, item: Mapping[str, Any]) -> Stored | None:
        """The cached body of a listed job if its hint is unchanged, else None."""
        hint = hint_of(item)
        entry = self.entries.get(str(item.get("name")))
        if hint is None or entry is None or entry.get("hint") != hint:
            return None
        return Stored.of(entry)

    def put(self, item: Mapping[str, Any], body: Mapping[str, Any], *, settled_before: int) -> Stored | None:
        """Remember a body read under this list item, unless it may not have settled yet;
        what is kept (None when it is not)."""
        name = str(item.get("name"))
        hint = hint_of(item)
        stamp = item.get("lastUpdateTime")
        if hint is None or not isinstance(stamp, int) or stamp >= settled_before:
            self.forget([name])
            return None
        stored = Stored.from_body(body)
        self.entries[name] = {"hint": hint, "digest": stored.digest, "tags": list(stored.tags), "body": stored.text}
        self.dirty = True
        return stored

    def forget(self, names: Iterable[str]) -> None:
        for name in names:
            if self.entries.pop(name, None) is not None:
                self.dirty = True

    def keep_only(self, names: Iterable[str]) -> None:
        """Drop the jobs the list no longer has."""
        self.forget(set(self.entries) - set(names))

    def clear(self) -> None:
        if self.entries:
            self.entries, self.dirty = {}, True

    def save(self) -> None:
        if self.path is None or not self.dirty:
            return
        document = {"format": FORMAT, "owner": self.owner, "jobs": self.entries}
        write_atomic(self.path, document_lines(document), durable=False)  # a cache: losing it costs a read
        self.dirty = False


def cached_job_names(backend: Mapping[str, Any], cache_dir: Path, workspace_name: str) -> frozenset[str] | None:
    """The job names the last read of this workspace left in its cache file (what `validate`
    can know offline), or None: no cache, another workspace's, or unreadable settings."""
    from jobsync.backends.dataarts.config import cache_owner, parse_config  # the HTTP client loads only here
    from jobsync.errors import ConfigError

    try:
        config = parse_config(backend, f"workspaces/{workspace_name}/workspace.yaml")
    except ConfigError:
        return None
    path = cache_dir / f"{workspace_name}.json"
    if not path.is_file():
        return None
    entries = JobCache(path, cache_owner(config)).entries
    return frozenset(entries) or None
