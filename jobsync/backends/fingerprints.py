"""Fingerprints of a local workspace document's objects, kept beside it between runs.

Planning compares each object's canonical fingerprint (core/canonical.py) with the repo's; the
parse cache keeps the repo side's, and this keeps the document side's: a map from a hash of an
object's body text (its compact JSON, as the caches keep bodies) to the body's canonical
fingerprint. Keyed by content, so a document edited by hand or by another process can never
get a stale fingerprint: an object whose text is new is fingerprinted again. Hashing a body's
text costs about a tenth of building its canonical form.

On disk (`<document>.fingerprints`): a version line, then "text digest<TAB>fingerprint" lines,
appended per new entry, rewritten when mostly stale; a torn line is skipped.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import time
from collections.abc import Mapping
from pathlib import Path

from jobsync.core.model import ObjectKey, body_text
from jobsync.core.normalize import body_fingerprint
from jobsync.core.snapshot import RemoteObject
from jobsync.fileio import write_atomic
from jobsync.version import __version__

VERSION = f"jobsync {__version__} fingerprints/2\n"  # 2: node and property order count (core/canonical.py)


class FingerprintCache:
    def __init__(self, path: Path) -> None:
        self.path = path
        self.known: dict[str, str] = {}
        self.added: dict[str, str] = {}
        self.used: set[str] = set()
        self.lines = 0
        self.torn = False
        try:
            with path.open(encoding="utf-8") as handle:
                if handle.readline() != VERSION:
                    self.torn = True  # another version: rewrite, never append
                    return
                for line in handle:
                    self.lines += 1
                    self.torn = not line.endswith("\n")
                    text_digest, _, found = line.rstrip("\n").partition("\t")
                    if found and not self.torn:
                        self.known[text_digest] = found
        except (OSError, UnicodeDecodeError):
            self.known, self.torn = {}, True

    def fingerprint(self, remote: RemoteObject) -> str:
        text = remote.stored if remote.stored is not None else body_text(remote.body)
        text_digest = hashlib.blake2b(text.encode(), digest_size=16).hexdigest()
        self.used.add(text_digest)
        found = self.known.get(text_digest)
        if found is None:
            found = self.known[text_digest] = self.added[text_digest] = body_fingerprint(remote.key.kind, remote.body)
        return found

    def save(self) -> None:
        if self.torn or not self.path.exists() or self.lines + len(self.added) > 2 * len(self.used) + 1000:
            lines = [VERSION, *(f"{d}\t{self.known[d]}\n" for d in sorted(self.used))]
            write_atomic(self.path, lines, durable=False)
        elif self.added:
            with self.path.open("a", encoding="utf-8") as handle:
                handle.writelines(f"{d}\t{f}\n" for d, f in self.added.items())
        self.added = {}


def with_fingerprints(
    objects: Mapping[ObjectKey, RemoteObject], path: Path, identity: Identity | None = None, state: str = "develop"
) -> dict[ObjectKey, RemoteObject]:
    """`objects`, each with its canonical fingerprint (`digest`), from the cache at `path` where
    it knows the body's text; the cache is updated with the others.

    `identity` is the document file's (inode, mtime_ns, size) when `objects` are what it held:
    a fast path as git's index, `<path>.names` keeps the fingerprints by object for the last
    identity seen, trusted only when the document was last written well before (jobsync's
    writes are atomic: each makes a new inode)."""
    names = NamesIndex(path.with_name(path.name + ".names"), identity, state)
    known = names.fingerprints(objects)
    if known is not None:
        return {key: remote.replace(digest=known[str(key)]) for key, remote in objects.items()}
    cache = FingerprintCache(path)
    found = {key: remote.replace(digest=cache.fingerprint(remote)) for key, remote in objects.items()}
    with contextlib.suppress(OSError):  # a cache: without it the next plan fingerprints again
        cache.save()
        names.save({str(key): str(remote.digest) for key, remote in found.items()})
    return found


Identity = tuple[int, int, int]
RACY_NS = 2_000_000_000


class NamesIndex:
    """Fingerprints by object for one identity of the document (see with_fingerprints)."""

    def __init__(self, path: Path, identity: Identity | None, state: str) -> None:
        self.path = path
        self.identity = list(identity) if identity is not None else None
        self.state = state

    def fingerprints(self, objects: Mapping[ObjectKey, RemoteObject]) -> dict[str, str] | None:
        if self.identity is None:
            return None
        try:
            stored = json.loads(self.path.read_bytes())
            names = stored["names"]
            trusted = (
                stored["version"] == VERSION
                and stored["identity"] == self.identity
                and stored["state"] == self.state
                and self.identity[1] + RACY_NS < int(stored["written_ns"])
            )
        except (OSError, ValueError, KeyError, TypeError):
            return None
        if not trusted or not isinstance(names, dict) or any(str(key) not in names for key in objects):
            return None
        return {str(key): str(names[str(key)]) for key in objects}

    def save(self, names: dict[str, str]) -> None:
        if self.identity is None:
            return
        data = {
            "version": VERSION,
            "identity": self.identity,
            "state": self.state,
            "written_ns": time.time_ns(),
            "names": names,
        }
        write_atomic(self.path, json.dumps(data, ensure_ascii=False, separators=(",", ":")), durable=False)
