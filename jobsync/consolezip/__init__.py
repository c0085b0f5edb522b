"""Console .zip interop: read DataArts Factory exports, write files the console can import.

`read_archive` reads both documented layouts (reference §2.2) and refuses broken or hostile
archives before returning anything. `pack` writes them back in the console's layout, split
into files no bigger than the import limit (LOCAL_LIMIT 1 MB, OBS_LIMIT 10 MB).
"""

from __future__ import annotations

from jobsync.consolezip.pack import LAYOUTS, LOCAL_LIMIT, OBS_LIMIT, Package, pack, parse_size, uses
from jobsync.consolezip.read import ArchiveEntry, read_archive
from jobsync.consolezip.safety import DEFAULT_LIMITS, Limits

__all__ = [
    "DEFAULT_LIMITS",
    "LAYOUTS",
    "LOCAL_LIMIT",
    "OBS_LIMIT",
    "ArchiveEntry",
    "Limits",
    "Package",
    "pack",
    "parse_size",
    "read_archive",
    "uses",
]
