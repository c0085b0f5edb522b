"""Console .zip interop: read DataArts Factory exports, write files the console can import.

`read_archive` reads both documented layouts (reference §2.2) and refuses broken or hostile
archives before returning anything.
"""

from __future__ import annotations

from jobsync.archive.read import ArchiveEntry, read_archive
from jobsync.archive.safety import DEFAULT_LIMITS, Limits

__all__ = ["DEFAULT_LIMITS", "ArchiveEntry", "Limits", "read_archive"]
