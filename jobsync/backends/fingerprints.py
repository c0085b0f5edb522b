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
from collections.abc import Mapping
from pathlib import Path

from jobsync.core.model import ObjectKey, body_text
from jobsync.core.normalize import body_fingerprint
from jobsync.core.snapshot import RemoteObject
from jobsync.fileio import write_atomic
from jobsync.version import __version__

VERSION = f"jobsync {__version__} fingerprints/1\n"


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


def with_fingerprints(objects: Mapping[ObjectKey, RemoteObject], path: Path) -> dict[ObjectKey, RemoteObject]:
    """`objects`, each with its canonical fingerprint (`digest`), from the cache at `path` where
    it knows the body's text; the cache is updated with the others."""
    cache = FingerprintCache(path)
    found = {key: remote.replace(digest=cache.fingerprint(remote)) for key, remote in objects.items()}
    with contextlib.suppress(OSError):  # a cache: without it the next plan fingerprints again
        cache.save()
    return found
