"""The repo's parse cache: each file's checked body, keyed by the file's bytes, kept between runs
and valid in any clone.

A file whose bytes the cache has seen is not parsed or schema-checked again: its entry holds
the checked body as JSON text and its canonical fingerprint. The cache is keyed by content (a
hash of the file's bytes, beside its repo-relative path), never by where or when the file was
written, so a cache copied from another clone (CI's `actions/cache`) is as good as one made here.

On disk (`.jobsync/cache/repo-<ws>.jsonl`), one line each, fields separated by tabs:

    {"version": "..."}                                   jobsync, schema and format version
    "rel"  digest  fingerprint  check  text              one entry; a later line for rel wins

`rel` is a JSON string, `text` the body's compact JSON (neither holds a raw tab or newline),
so reading an entry decodes nothing: the text is kept as it is until a body is needed.

`check` is a hash of the other four: an entry whose check does not match (a corrupted line, an
edited one) is not trusted; its file is parsed again. A run appends only the entries it added
or changed; the file is rewritten whole only when most of its lines are stale. A line torn by a
kill is skipped.

Beside it, `repo-<ws>.stat.json` is a stat index (size, mtime_ns, inode -> the bytes' digest),
as git's index: a file whose stat matches and that was last modified well before the index was
written is not read again to be hashed. It is only a fast path: a fresh clone, where every stat
differs, reads and hashes each file and finds the same entries by digest.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from jobsync.fileio import write_atomic
from jobsync.repo import schemas
from jobsync.version import __version__

FORMAT = "tabs/2"  # 2: node and property order count in fingerprints (canonical.py)
RACY_NS = 2_000_000_000  # a file modified this close to the index's writing is hashed again


def digest(raw: bytes) -> str:
    return hashlib.blake2b(raw, digest_size=16).hexdigest()


def entry_check(rel: str, digest: str, text: str, fingerprint: str | None) -> str:
    """What an entry's `check` must be: a hash of its other fields."""
    joined = f"{rel}\0{digest}\0{text}\0{fingerprint or ''}".encode()
    return hashlib.blake2b(joined, digest_size=8).hexdigest()


@dataclass(frozen=True, slots=True)
class Entry:
    digest: str
    text: str
    fingerprint: str | None


@dataclass
class CacheStats:
    """How a read used the cache, for `plan`'s line on stderr."""

    cached: int = 0
    parsed: int = 0
    rejected: int = 0  # entries present for the file's bytes but not trusted (check mismatch)

    def add(self, other: CacheStats) -> None:
        self.cached += other.cached
        self.parsed += other.parsed
        self.rejected += other.rejected


class ParseCache:
    """The cache of one set of repo files (a workspace's, or its source's); `path` None: none."""

    def __init__(self, path: Path | None) -> None:
        self.path = path
        self.version = f"{__version__}/{schemas.VERSION}/{FORMAT}"
        self.entries: dict[str, list[Any]] = {}  # rel -> [digest, text, fingerprint, check]
        self.added: dict[str, list[Any]] = {}  # rel -> entry, to append
        self.seen: set[str] = set()
        self.lines = 0
        self.torn = False  # a last line with no newline (a kill), or another version: rewrite, never append
        self.stats = CacheStats()
        self.stat_index = StatIndex(path.with_name(path.stem + ".stat.json") if path else None)
        if path is not None:
            self._read(path)

    def _read(self, path: Path) -> None:
        try:
            with path.open(encoding="utf-8") as handle:
                header = json.loads(handle.readline() or "{}")
                if not isinstance(header, dict) or header.get("version") != self.version:
                    self.torn = True  # another jobsync or schema: start again (rewrite, never append)
                    return
                for line in handle:
                    self.lines += 1
                    self.torn = not line.endswith("\n")
                    fields = line.rstrip("\n").split("\t", 4)
                    if len(fields) == 5 and line.endswith("\n"):  # else torn by a kill: parsed again
                        rel, file_digest, fingerprint, check, text = fields
                        if rel[:1] == rel[-1:] == '"' and "\\" not in rel:  # a JSON string without escapes
                            rel = rel[1:-1]
                        else:
                            with contextlib.suppress(ValueError):
                                rel = json.loads(rel)
                        self.entries[rel] = [file_digest, text, fingerprint or None, check]
        except (OSError, ValueError, UnicodeDecodeError):
            self.entries, self.torn = {}, True  # a broken cache is only a slower run, and rewritten

    def get(self, rel: str, file_digest: str) -> Entry | None:
        """The entry of a file with these bytes, when present and intact."""
        self.seen.add(rel)
        entry = self.entries.get(rel)
        if not entry or entry[0] != file_digest:
            return None
        stored_digest, text, fingerprint, check = entry
        if (
            not isinstance(text, str)
            or not isinstance(fingerprint, str | None)
            or check != entry_check(rel, stored_digest, text, fingerprint)
        ):
            self.stats.rejected += 1
            del self.entries[rel]
            return None
        return Entry(stored_digest, text, fingerprint)

    def put(self, rel: str, file_digest: str, text: str, fingerprint: str | None) -> None:
        self.seen.add(rel)
        entry = [file_digest, text, fingerprint, entry_check(rel, file_digest, text, fingerprint)]
        if self.entries.get(rel) != entry:
            self.entries[rel] = entry
            self.added[rel] = entry

    def save(self) -> None:
        """Append what this run added; rewrite the file when most of its lines are stale."""
        self.stat_index.save()
        if self.path is None:
            return
        live = len(self.seen)
        if self.torn or self.lines + len(self.added) > 2 * live + 1000 or not self.path.exists():
            entries = {rel: entry for rel, entry in self.entries.items() if rel in self.seen}
            lines = [json.dumps({"version": self.version}) + "\n", *(_line(rel, e) for rel, e in entries.items())]
            write_atomic(self.path, lines, durable=False)
            self.torn, self.lines = False, len(entries)
        elif self.added:
            with self.path.open("a", encoding="utf-8") as handle:
                handle.writelines(_line(rel, entry) for rel, entry in self.added.items())
            self.lines += len(self.added)
        self.added = {}


def _line(rel: str, entry: list[Any]) -> str:
    file_digest, text, fingerprint, check = entry
    return f"{json.dumps(rel, ensure_ascii=False)}\t{file_digest}\t{fingerprint or ''}\t{check}\t{text}\n"


class StatIndex:
    """rel -> (size, mtime_ns, inode, digest) of files read before: a file whose stat matches
    and was modified well before the index was written need not be read to know its digest."""

    def __init__(self, path: Path | None) -> None:
        self.path = path
        self.files: dict[str, list[Any]] = {}
        self.written_ns = 0
        self.dirty = False
        if path is not None:
            try:
                stored = json.loads(path.read_bytes())
                self.files = dict(stored["files"])
                self.written_ns = int(stored["written_ns"])
            except (OSError, ValueError, KeyError, TypeError):
                self.files = {}

    def digest(self, rel: str, stat: os.stat_result) -> str | None:
        known = self.files.get(rel)
        if (
            known is not None
            and known[:3] == [stat.st_size, stat.st_mtime_ns, stat.st_ino]
            and stat.st_mtime_ns + RACY_NS < self.written_ns
        ):
            return str(known[3])
        return None

    def record(self, rel: str, stat: os.stat_result, file_digest: str) -> None:
        entry = [stat.st_size, stat.st_mtime_ns, stat.st_ino, file_digest]
        if self.files.get(rel) != entry:
            self.files[rel] = entry
            self.dirty = True

    def save(self) -> None:
        stale = any(
            stat[1] + RACY_NS >= self.written_ns for stat in self.files.values()
        )  # racy entries become trusted once the index is written after them
        if self.path is None or not (self.dirty or stale):
            return
        self.written_ns = time.time_ns()
        text = json.dumps({"written_ns": self.written_ns, "files": self.files}, separators=(",", ":"))
        write_atomic(self.path, text, durable=False)
        self.dirty = False


def read_file(path: Path, rel: str, index: StatIndex, stat: os.stat_result) -> tuple[bytes | None, str]:
    """(the file's bytes, or None when the stat index knew its digest (`stat` is the file's); the digest)."""
    known = index.digest(rel, stat)
    if known is not None:
        return None, known
    raw = path.read_bytes()
    found = digest(raw)
    index.record(rel, stat, found)
    return raw, found
