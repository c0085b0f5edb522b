"""Read .zip files exported by the DataArts Factory console (reference §2.2).

The console writes two layouts: a single-job export (`jobs/<name>.job`, `scripts/<name>.script`,
`resources/<name>.resource`) and a batch export with a folder per job
(`jobs/job_batch/job_batch.job`, `jobs/job_batch/dws_sql.script`). Members are therefore found
by extension, anywhere in the archive, never by fixed path:

* `.job`, `.script`, `.resource` (extension case-insensitive): a JSON object, the create
  request body of that kind, kept as parsed (key order and unknown fields survive, §5.6).
* directories, and what operating systems add when zipping by hand (`__MACOSX/`,
  `.DS_Store`, `Thumbs.db`, `desktop.ini`): skipped.
* anything else: the archive is refused, naming the member, so nothing in an export is ever
  dropped silently. Unzip, remove the file and zip again if it really does not belong.

A definition's name is its body's `name`. A body without one takes the file's stem, written
into the body as its first key (a create request needs it); a body whose name differs from its
file's stem is refused. The same name twice in one kind is kept once if the bodies are equal
(the batch layout repeats a shared script in every job folder) and refused otherwise.

Every problem raises `ArchiveError` naming the zip and the member before anything is returned;
safety checks and their limits are in safety.py.
"""

from __future__ import annotations

import json
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from jobsync.consolezip import safety
from jobsync.consolezip.safety import DEFAULT_LIMITS, Limits, MemberError
from jobsync.core.model import Kind, canonical_json
from jobsync.errors import ArchiveError

EXTENSIONS = {".job": Kind.JOB, ".script": Kind.SCRIPT, ".resource": Kind.RESOURCE}

# The fields a body of each kind must have, beyond `name` (reference §5.1, §6).
REQUIRED: dict[Kind, tuple[tuple[str, type], ...]] = {
    Kind.JOB: (("nodes", list),),
    Kind.SCRIPT: (("type", str),),
    Kind.RESOURCE: (("type", str), ("location", str)),
}

_KIND_ORDER = {kind: index for index, kind in enumerate(Kind)}


@dataclass(frozen=True)
class ArchiveEntry:
    """One definition read from an archive; `entry` is its member path, for messages only."""

    kind: Kind
    name: str
    body: dict[str, Any]
    entry: str


def read_archive(path: Path, *, limits: Limits = DEFAULT_LIMITS) -> list[ArchiveEntry]:
    """Every definition in the archive at `path`, sorted by kind (apply order) and name.

    Raises ArchiveError naming `path` and the member for a broken or hostile archive.
    """
    try:
        with zipfile.ZipFile(path) as archive:
            entries = [_read_entry(path, archive, info) for info in _members(path, archive, limits)]
    except zipfile.BadZipFile as error:
        raise ArchiveError(f"{path}: not a readable .zip file ({error})") from None
    except OSError as error:
        raise ArchiveError(f"{path}: cannot open the archive ({error.strerror or error})") from None
    return _dedupe(path, entries)


def _fail(path: Path, member: str, problem: str) -> ArchiveError:
    return ArchiveError(f"{path}: {member}: {problem}; nothing was imported from this archive")


def _members(path: Path, archive: zipfile.ZipFile, limits: Limits) -> list[zipfile.ZipInfo]:
    """The members to parse, after every member passed the safety checks."""
    infos = archive.infolist()
    if len(infos) > limits.max_entries:
        raise ArchiveError(f"{path}: holds {len(infos):,} members, over the {limits.max_entries:,}-member limit")
    selected = [info for info in infos if _is_definition(path, info, limits)]
    total = sum(info.file_size for info in selected)
    if total > limits.max_total_bytes:
        raise ArchiveError(f"{path}: expands to {total:,} bytes, over the {limits.max_total_bytes:,}-byte limit")
    return selected


def _is_definition(path: Path, info: zipfile.ZipInfo, limits: Limits) -> bool:
    """Check one member; True if it is to be parsed, False if skipped, else ArchiveError."""
    name = info.filename
    problem = safety.path_problem(info.orig_filename) or safety.type_problem(info)
    if problem:
        raise _fail(path, repr(info.orig_filename), problem)
    if info.is_dir() or safety.is_ignored(name):
        return False
    if _kind_of(name) is None:
        raise _fail(path, name, "not a .job, .script or .resource file")
    problem = safety.declared_problem(info, limits)
    if problem:
        raise _fail(path, name, problem)
    return True


def _kind_of(member: str) -> Kind | None:
    base = member.rsplit("/", 1)[-1]
    dot = base.rfind(".")
    return EXTENSIONS.get(base[dot:].lower()) if dot > 0 else None


def _read_entry(path: Path, archive: zipfile.ZipFile, info: zipfile.ZipInfo) -> ArchiveEntry:
    kind = _kind_of(info.filename)
    assert kind is not None  # _is_definition kept only members with a known extension
    try:
        body = _parse(safety.read_member(archive, info))
        body = _named(kind, body, info)
    except MemberError as error:
        raise _fail(path, info.filename, str(error)) from None
    return ArchiveEntry(kind, body["name"], body, info.filename)


def _parse(raw: bytes) -> dict[str, Any]:
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise MemberError(f"not UTF-8 text (byte {error.start})") from None
    try:
        value = json.loads(text, object_pairs_hook=_unique_keys, parse_constant=_no_constant)
    except json.JSONDecodeError as error:
        raise MemberError(f"line {error.lineno}: not valid JSON ({error.msg})") from None
    if not isinstance(value, dict):
        raise MemberError(f"must hold a JSON object, not {type(value).__name__}")
    return value


def _unique_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    result: dict[str, Any] = {}
    for key, value in pairs:
        if key in result:
            raise MemberError(f"field {key!r} appears twice in one object")
        result[key] = value
    return result


def _no_constant(token: str) -> Any:
    raise MemberError(f"{token} is not valid JSON")


def _named(kind: Kind, body: dict[str, Any], info: zipfile.ZipInfo) -> dict[str, Any]:
    """Check the body's required fields and its name against the file's stem."""
    stems = safety.stem_candidates(info)
    if "name" not in body:
        body = {"name": stems[0], **body}
    name = body["name"]
    if not isinstance(name, str) or not name:
        raise MemberError(f"{kind.value} field 'name' must be a non-empty string")
    if name not in stems:
        raise MemberError(f"{kind.value} is named {name!r} but its file is named {stems[0]!r}")
    for field, expected in REQUIRED[kind]:
        if not isinstance(body.get(field), expected):
            what = "a list" if expected is list else "a string"
            missing = "is missing" if field not in body else f"must be {what}"
            raise MemberError(f"{kind.value} field {field!r} {missing}")
    return body


def _dedupe(path: Path, entries: list[ArchiveEntry]) -> list[ArchiveEntry]:
    seen: dict[tuple[Kind, str], ArchiveEntry] = {}
    for entry in entries:
        first = seen.setdefault((entry.kind, entry.name), entry)
        if first is not entry and canonical_json(first.body) != canonical_json(entry.body):
            raise ArchiveError(
                f"{path}: {entry.entry}: {entry.kind.value} {entry.name!r} is also in "
                f"{first.entry} with a different body; keep one of them"
            )
    return sorted(seen.values(), key=lambda e: (_KIND_ORDER[e.kind], e.name))
