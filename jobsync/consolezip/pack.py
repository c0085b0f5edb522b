"""Write .zip files the DataArts Factory console can import (reference §2.2, §7.1).

`pack(specs)` lays definitions out as the console exports them and splits them over several
files when one would be too big:

* layout "single" (default): `jobs/<name>.job`, `scripts/<name>.script`,
  `resources/<name>.resource`, as a single-job export writes them, for any number of jobs.
* layout "batch": a folder per job holding the job and what it uses
  (`jobs/<job>/<job>.job`, `jobs/<job>/<script>.script`, `jobs/<job>/<resource>.resource`), as a
  batch export writes it; scripts and resources no job uses go to `scripts/` and `resources/`.

Each member is the create request body of its kind as JSON (UTF-8, 2-space indent). Members are
in path order and carry a fixed timestamp and mode, so the same specs give the same bytes.

Size is the size of the zip file. The console's local import takes 1 MB (LOCAL_LIMIT; the
manual's 2024 edition; older editions say 10 MB, reference §10.4), OBS import 10 MB (OBS_LIMIT).
A job travels with the scripts and resources it uses: scripts and resources named in its nodes
(references.SCRIPTS, references.RESOURCES) and resources whose OBS `location` a node property
holds (DLI Spark, MRS Spark and MapReduce nodes name the jar by path). Jobs are packed in name
order, each into the current file if it still fits, else into a new one; a script or resource
that jobs in several files use is repeated in each. Scripts and resources no job uses follow
one by one. A job that does not fit in an empty file is an error naming it.

The dataarts backend's import path calls `pack(specs, max_bytes=OBS_LIMIT)`; keep this
signature stable.
"""

from __future__ import annotations

import io
import json
import re
import zipfile
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Literal, get_args

from jobsync.core import selection
from jobsync.core.model import Kind, ObjectKey, Spec
from jobsync.errors import ArchiveError

LOCAL_LIMIT = 1_048_576  # console local import, 1 MB
OBS_LIMIT = 10 * 1_048_576  # console and API import from OBS, 10 MB
Layout = Literal["single", "batch"]
LAYOUTS: tuple[Layout, ...] = get_args(Layout)

ZIP_DATE = (1980, 1, 1, 0, 0, 0)  # the earliest a zip can hold: no build time leaks in
EMPTY_ZIP_BYTES = 22  # an end-of-central-directory record and nothing else

_EXTENSION = {Kind.JOB: ".job", Kind.SCRIPT: ".script", Kind.RESOURCE: ".resource"}


@dataclass(frozen=True)
class Package:
    """One importable .zip: its suggested file name, its bytes and what it holds (sorted)."""

    filename: str
    data: bytes
    jobs: tuple[str, ...]
    scripts: tuple[str, ...]
    resources: tuple[str, ...]


@dataclass(frozen=True)
class _Group:
    """What must travel in one file: a job and what it uses, or one unused script/resource."""

    lead: Spec
    uses: tuple[Spec, ...] = ()


Members = dict[str, tuple[Spec, bytes]]  # member path -> (spec, JSON bytes)


@dataclass
class _Bin:
    """A package being filled: its members and the exact size of their zip."""

    members: Members = field(default_factory=dict)
    size: int = EMPTY_ZIP_BYTES


def pack(specs: Sequence[Spec], *, max_bytes: int = LOCAL_LIMIT, layout: str = "single") -> list[Package]:
    """Console-importable zips holding `specs`, each at most `max_bytes` long.

    Raises ArchiveError for an unknown layout, a name that cannot be a file name, the same
    definition twice, or a job (with what it uses) that alone is bigger than `max_bytes`.
    """
    if layout not in LAYOUTS:
        raise ArchiveError(f"unknown archive layout {layout!r}; use one of {', '.join(LAYOUTS)}")
    _check(specs)
    sizer = _Sizer()
    bins: list[_Bin] = []
    for group in _groups(specs):
        members = _members(group, layout)
        _check_fits(group, sizer.size(members), max_bytes)
        if not bins or bins[-1].size + sizer.added(bins[-1].members, members) > max_bytes:
            bins.append(_Bin())
        bins[-1].size += sizer.added(bins[-1].members, members)
        bins[-1].members.update(members)
    return [_package(b.members, index, len(bins)) for index, b in enumerate(bins, 1)]


def _check(specs: Sequence[Spec]) -> None:
    seen: set[ObjectKey] = set()
    for spec in specs:
        if spec.key in seen:
            raise ArchiveError(f"{spec.key} is given twice; pack each definition once")
        seen.add(spec.key)
        name = spec.name
        if not name or name in (".", "..") or any(c in name for c in "/\\\0"):
            raise ArchiveError(f"{spec.key}: the name {name!r} cannot be a file name in a .zip")


def _groups(specs: Sequence[Spec]) -> Iterator[_Group]:
    """Jobs by name with what they use, then unused resources and scripts, each by name."""
    ordered = sorted(specs, key=lambda spec: spec.name)
    by_kind = {kind: [s for s in ordered if s.kind is kind] for kind in Kind}
    others = {spec.key: spec for spec in ordered if spec.kind is not Kind.JOB}
    usable = selection.Usable.among({key: spec.body for key, spec in others.items()})
    used: set[ObjectKey] = set()
    for job in by_kind[Kind.JOB]:
        keys = sorted(selection.uses(job.body, usable))
        used.update(keys)
        yield _Group(job, tuple(others[key] for key in keys))
    for spec in by_kind[Kind.RESOURCE] + by_kind[Kind.SCRIPT]:
        if spec.key not in used:
            yield _Group(spec)


def uses(job: Spec, specs: Sequence[Spec]) -> tuple[Spec, ...]:
    """The scripts and resources among `specs` that `job` uses: what pack keeps with it."""
    by_key = {spec.key: spec for spec in specs if spec.kind is not Kind.JOB}
    usable = selection.Usable.among({key: spec.body for key, spec in by_key.items()})
    return tuple(by_key[key] for key in sorted(selection.uses(job.body, usable)))


def _members(group: _Group, layout: str) -> Members:
    folder = f"jobs/{group.lead.name}/" if layout == "batch" and group.lead.kind is Kind.JOB else ""
    return {_path(spec, folder): (spec, _encode(spec)) for spec in (group.lead, *group.uses)}


def _path(spec: Spec, folder: str) -> str:
    return f"{folder or spec.kind.folder + '/'}{spec.name}{_EXTENSION[spec.kind]}"


def _encode(spec: Spec) -> bytes:
    return json.dumps(dict(spec.body), indent=2, ensure_ascii=False).encode("utf-8")


def _check_fits(group: _Group, size: int, max_bytes: int) -> None:
    if size <= max_bytes:
        return
    lead = group.lead
    counts = [_count(sum(s.kind is kind for s in group.uses), kind.value) for kind in (Kind.SCRIPT, Kind.RESOURCE)]
    what = f"{lead.key} with {' and '.join(counts)}" if group.uses else f"{lead.key} alone"
    advice = "; OBS import allows 10 MB (--max-size 10MB)" if max_bytes < OBS_LIMIT else ""
    raise ArchiveError(f"{what} is {size:,} bytes zipped, over the {max_bytes:,}-byte limit{advice}")


def _count(number: int, noun: str) -> str:
    return f"{number} {noun}" if number == 1 else f"{number} {noun}s"


class _Sizer:
    """The exact size of a zip of some members, from each member's size measured once.

    Zip members are compressed independently, so a zip's size is the end record plus the sum
    of what each member adds (local header, data, central directory entry).
    """

    def __init__(self) -> None:
        self._cost: dict[tuple[str, bytes], int] = {}

    def size(self, members: Members) -> int:
        return EMPTY_ZIP_BYTES + self.added({}, members)

    def added(self, present: Members, members: Members) -> int:
        """Bytes that `members` add to a zip of `present` (members already there add none)."""
        return sum(self._member(path, data) for path, (_, data) in members.items() if path not in present)

    def _member(self, path: str, data: bytes) -> int:
        if (path, data) not in self._cost:
            self._cost[path, data] = len(_zip({path: data})) - EMPTY_ZIP_BYTES
        return self._cost[path, data]


def _zip(files: Mapping[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for path in sorted(files):
            info = zipfile.ZipInfo(path, date_time=ZIP_DATE)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.create_system = 3  # unix, whatever system packs it
            info.external_attr = 0o100644 << 16  # a regular file, rw-r--r--
            archive.writestr(info, files[path])
    return buffer.getvalue()


def _package(members: Members, index: int, total: int) -> Package:
    data = _zip({path: raw for path, (_, raw) in members.items()})
    names = {kind: tuple(sorted({s.name for s, _ in members.values() if s.kind is kind})) for kind in Kind}
    filename = "jobs.zip" if total == 1 else f"jobs-{index:0{max(2, len(str(total)))}d}.zip"
    return Package(filename, data, names[Kind.JOB], names[Kind.SCRIPT], names[Kind.RESOURCE])


_SIZE = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*([KMG]i?B|B)?\s*$", re.IGNORECASE)
_UNITS = {"": 1, "B": 1, "KB": 1024, "MB": 1024**2, "GB": 1024**3}


def parse_size(text: str) -> int:
    """Bytes in "1MB", "10MB", "512KB", "1.5MB" or "123456" (KB and MB are 1024-based)."""
    match = _SIZE.match(text)
    if match is None or float(match.group(1)) <= 0:
        raise ArchiveError(
            f"invalid size {text!r}; give a number of bytes or a number followed by KB or MB "
            "(e.g. 1MB for local import, 10MB for OBS import, 512KB, 123456)"
        )
    unit = (match.group(2) or "").upper().replace("I", "")
    return int(float(match.group(1)) * _UNITS[unit])
