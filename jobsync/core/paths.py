"""Paths built from names stay inside the repo.

Every file jobsync writes or reads is named by something it does not control: an object name
or directory from the workspace (the service accepts `../x` and `/../../etc`), a folder in
the repo that may be a committed symlink, or `backend.path` and `seed` in workspace.yaml.
These functions are the one place that decides whether such a path is safe:

* `name_problem` / `directory_problem`: can this name (directory) be a file name (folder path)
  under the workspace folder, with nothing that climbs out or that a file system refuses?
* `inside`: is this path, with every symlink resolved, under that root?

Directories outside the repo that a team does want (a workspace document shared between
clones, a seed kept elsewhere) are allowed through the environment only, never the repo:
JOBSYNC_ALLOWED_PATHS is a list of directories separated by os.pathsep.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path

ALLOWED_PATHS_ENV = "JOBSYNC_ALLOWED_PATHS"
NAME_MAX_BYTES = 255  # a file name on ext4, xfs, btrfs, APFS, NTFS (in bytes of UTF-8 or less)
LONGEST_SUFFIX = ".yaml"  # the longest suffix a name gets (.sql, .py, .sh, .txt are shorter)
FORBIDDEN_CHARACTERS = frozenset('\\:*?"<>|')  # not a portable file name character (Windows)


def _bad_character(text: str) -> str | None:
    for character in text:
        if character == "\0":
            return "a NUL character"
        if ord(character) < 32 or ord(character) == 127:
            return f"the control character U+{ord(character):04X}"
        if character in FORBIDDEN_CHARACTERS:
            return f"the character {character!r}"
    return None


def segment_problem(segment: str, what: str) -> str | None:
    """Why `segment` cannot be one file or folder name, or None."""
    if segment in ("", ".", ".."):
        return f"{what} {segment!r} cannot be a file name"
    if "/" in segment:
        return f"{what} contains '/', which would make it a path"
    bad = _bad_character(segment)
    if bad:
        return f"{what} contains {bad}"
    if segment != segment.strip():
        return f"{what} starts or ends with a space"
    return None


def name_problem(name: str) -> str | None:
    """Why an object name cannot be a file name in the repo, or None."""
    problem = segment_problem(name, "the name")
    if problem:
        return problem
    size = len((name + LONGEST_SUFFIX).encode("utf-8"))
    if size > NAME_MAX_BYTES:
        return (
            f"the name is {len(name.encode('utf-8'))} bytes in UTF-8; a file name may have at most "
            f"{NAME_MAX_BYTES - len(LONGEST_SUFFIX)} (file systems allow {NAME_MAX_BYTES} bytes, "
            f"less {LONGEST_SUFFIX!r}); shorten the name"
        )
    return None


def directory_problem(directory: str) -> str | None:
    """Why a DataArts directory ('/a/b') cannot be a folder path in the repo, or None."""
    for segment in str(directory).split("/"):
        if segment == "":
            continue  # '/a//b/' has empty parts; they add no folder
        problem = segment_problem(segment, f"the directory part {segment!r}")
        if problem:
            return problem
        if len(segment.encode("utf-8")) > NAME_MAX_BYTES:
            return f"the directory part {segment[:20]!r}... is longer than {NAME_MAX_BYTES} bytes"
    return None


def allowed_roots(environ: Mapping[str, str] | None = None) -> list[Path]:
    env = os.environ if environ is None else environ
    raw = env.get(ALLOWED_PATHS_ENV, "")
    return [Path(os.path.realpath(part)) for part in raw.split(os.pathsep) if part.strip()]


def resolved(path: Path) -> Path:
    """`path` with every symlink resolved, also where the file does not exist yet."""
    return Path(os.path.realpath(path))


def inside(path: Path, root: Path) -> bool:
    """Whether `path`, after resolving symlinks, is `root` or under it (root resolved too)."""
    target, base = resolved(path), resolved(root)
    return target == base or base in target.parents


def inside_any(path: Path, roots: list[Path]) -> bool:
    return any(inside(path, root) for root in roots)
