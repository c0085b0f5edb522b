"""Which members of an untrusted .zip may be read, and reading them with bounded memory.

A console export is untrusted input: it may come from another workspace, another team or an
attacker. Before jobsync parses a byte of it, every member must pass the checks below; any
failure refuses the whole archive (`ArchiveError` naming the zip and the member), so a caller
that writes only after `read_archive` returns writes nothing.

Limits (`Limits`, defaults below) and why they are what they are:

* MAX_ENTRIES = 50,000 members. A workspace holds at most 10,000 jobs and 10,000 scripts
  (reference §7.3) and workspace export stops at 10,000 jobs (§7.1); with resources and the
  batch layout's per-job script copies, 50,000 leaves room without letting a central directory
  of millions of members through.
* MAX_ENTRY_BYTES = 32 MiB uncompressed per member. Script content is at most 4 MB (§6);
  JSON escaping can grow that up to six times for control characters.
* MAX_TOTAL_BYTES = 512 MiB uncompressed for the whole archive: everything is held in memory
  as parsed JSON, and 10,000 jobs of ~50 KB each fit.
* MAX_RATIO = 200 (uncompressed / compressed) for members larger than RATIO_FLOOR = 1 MiB.
  JSON definitions deflate 5-20x, very repetitive ones ~100x; deflate's ceiling is ~1,030x,
  which is what zip bombs use. Small members are exempt: they cannot expand far anyway.

Sizes in the central directory are only claims. They are checked up front (cheap refusal),
and then each member is read with a cap of declared size + 1 bytes, so a member that holds more
or less than it declares is refused without ever inflating past the cap.
"""

from __future__ import annotations

import re
import stat
import zipfile
import zlib
from dataclasses import dataclass

from jobsync.errors import ArchiveError

MAX_ENTRIES = 50_000
MAX_ENTRY_BYTES = 32 * 1024 * 1024
MAX_TOTAL_BYTES = 512 * 1024 * 1024
MAX_RATIO = 200
RATIO_FLOOR = 1024 * 1024

# Files that operating systems add when a folder is zipped by hand; skipped, never parsed.
IGNORED_FOLDERS = frozenset({"__MACOSX"})
IGNORED_FILES = frozenset({".DS_Store", "Thumbs.db", "desktop.ini"})

_DRIVE = re.compile(r"^[A-Za-z]:")
_UTF8_FLAG = 0x800
_ENCRYPTED_FLAG = 0x1


@dataclass(frozen=True)
class Limits:
    """Bounds on what one archive may expand to; tests pass smaller ones."""

    max_entries: int = MAX_ENTRIES
    max_entry_bytes: int = MAX_ENTRY_BYTES
    max_total_bytes: int = MAX_TOTAL_BYTES
    max_ratio: int = MAX_RATIO
    ratio_floor: int = RATIO_FLOOR


DEFAULT_LIMITS = Limits()


class MemberError(ArchiveError):
    """A member fails a check; read.py adds the zip and member name and raises ArchiveError."""


def path_problem(name: str) -> str | None:
    """Why a member path could leave the folder it is extracted into, or None if it cannot."""
    if "\\" in name:
        return "path contains a backslash"
    if "\0" in name:
        return "path contains a NUL character"
    if name.startswith("/"):
        return "path is absolute"
    if _DRIVE.match(name):
        return "path starts with a drive letter"
    if ".." in name.split("/"):
        return "path leaves the archive folder (..)"
    return None


def type_problem(info: zipfile.ZipInfo) -> str | None:
    """Refuse links and special files; the unix file type sits in external_attr's high word."""
    mode = info.external_attr >> 16
    file_type = stat.S_IFMT(mode)
    if file_type == stat.S_IFLNK:
        return "member is a symbolic link"
    if file_type not in (0, stat.S_IFREG, stat.S_IFDIR):
        return "member is not a regular file"
    if info.flag_bits & _ENCRYPTED_FLAG:
        return "member is encrypted"
    return None


def is_ignored(name: str) -> bool:
    parts = name.split("/")
    return bool(IGNORED_FOLDERS.intersection(parts[:-1])) or parts[-1] in IGNORED_FILES


def declared_problem(info: zipfile.ZipInfo, limits: Limits) -> str | None:
    """Refuse on the central directory's claims alone, before inflating anything."""
    if info.file_size > limits.max_entry_bytes:
        return f"declares {info.file_size:,} bytes, over the {limits.max_entry_bytes:,}-byte limit"
    if info.file_size > limits.ratio_floor:
        ratio = info.file_size / max(info.compress_size, 1)
        if ratio > limits.max_ratio:
            return f"expands {ratio:,.0f} times, over the {limits.max_ratio}x limit (zip bomb?)"
    return None


def read_member(archive: zipfile.ZipFile, info: zipfile.ZipInfo) -> bytes:
    """The member's bytes, reading at most declared size + 1; MemberError if they disagree."""
    try:
        with archive.open(info) as handle:
            data = handle.read(info.file_size + 1)
    except (zipfile.BadZipFile, zlib.error, EOFError, OSError, ValueError) as error:
        raise MemberError(f"member is corrupt ({error})") from None
    except (NotImplementedError, RuntimeError) as error:
        raise MemberError(f"member cannot be read ({error})") from None
    if len(data) != info.file_size:
        raise MemberError(f"declares {info.file_size:,} bytes but holds {len(data):,}")
    return data


def stem_candidates(info: zipfile.ZipInfo) -> list[str]:
    """The member's file stem, most likely reading first, then other readings of its bytes.

    Zips made on Chinese Windows store names in GBK without the UTF-8 flag; Python then
    decodes them as cp437, which would make a Chinese job name mismatch its file name.
    """
    names = [info.filename]
    if not info.flag_bits & _UTF8_FLAG:
        raw = info.filename.encode("cp437", errors="replace")
        for encoding in ("gbk", "utf-8"):
            try:
                names.insert(0, raw.decode(encoding))
            except UnicodeDecodeError:
                continue
    stems = [name.rsplit("/", 1)[-1].rsplit(".", 1)[0] for name in names]
    return list(dict.fromkeys(stems))
