"""The repository format: one YAML file per object, folders mirroring DataArts directories.

    workspaces/<ws>/jobs/<directory...>/<job>.yaml
    workspaces/<ws>/scripts/<directory...>/<script>.yaml   + <script>.sql|.sh|.py|.txt (content)
    workspaces/<ws>/resources/<directory...>/<resource>.yaml

A file holds the stored form (normalize.strip) with two readability changes: a node's
`properties` list is written as a mapping when every entry is a plain {name, value}, and a
script's `content` lives in the sidecar file. `directory` may be left out: the folder says it.
"""

from __future__ import annotations

import json
import os
import stat
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from jobsync.core import cdm, paths
from jobsync.core.model import CDM_KINDS, FILE_KINDS, Kind, ObjectKey, Spec, body_text, directory_of
from jobsync.core.normalize import body_fingerprint, normal_directory, strip
from jobsync.errors import ConfigError, Problem
from jobsync.repo import cdmfiles, cron, limits, schemas, workers, yamlio
from jobsync.repo.parsecache import CacheStats, Entry, ParseCache, digest, read_file

SCHEMA_LINE = "# yaml-language-server: $schema={path}\n"
CONTENT_KEY = "content"


def sidecar_suffix(script_type: str) -> str:
    upper = script_type.upper()
    if upper == "SHELL":
        return ".sh"
    if "PYTHON" in upper:
        return ".py"
    if upper.endswith("SQL") or upper in {"PRESTO"}:
        return ".sql"
    return ".txt"


# -- stored form <-> file form -----------------------------------------------------------------


def _plain_properties(properties: Any) -> bool:
    if not isinstance(properties, list) or not properties:
        return False
    names = [p.get("name") for p in properties if isinstance(p, dict)]
    return all(
        isinstance(p, dict)
        and set(p) == {"name", "value"}
        and isinstance(p["value"], str)
        and isinstance(p["name"], str)
        for p in properties
    ) and len(set(names)) == len(names)


def to_file_form(kind: Kind, body: Mapping[str, Any]) -> tuple[dict[str, Any], str | None]:
    """(YAML mapping, sidecar content) for a stored-form body."""
    data = dict(body)
    content = None
    if isinstance(data.get("directory"), str):
        data["directory"] = normal_directory(data["directory"])  # `/a/b/` and `/a/b` are one (canonical.py)
    if kind is Kind.SCRIPT:
        if data.get(CONTENT_KEY) is None:
            data[CONTENT_KEY] = None  # null or missing: no content file, never "" (canonical.py)
        else:
            content = str(data.pop(CONTENT_KEY))
    if kind is Kind.JOB and isinstance(data.get("nodes"), list):
        data["nodes"] = [_node_to_file(node) for node in data["nodes"]]
    return data, content


def _node_to_file(node: Any) -> Any:
    if isinstance(node, dict) and _plain_properties(node.get("properties")):
        node = {**node, "properties": {p["name"]: p["value"] for p in node["properties"]}}
    return node


def from_file_form(kind: Kind, data: Mapping[str, Any], content: str | None) -> dict[str, Any]:
    body = dict(data)
    if kind is Kind.JOB and isinstance(body.get("nodes"), list):
        body["nodes"] = [_node_from_file(node) for node in body["nodes"]]
    if content is not None:
        body[CONTENT_KEY] = content
    return body


def _node_from_file(node: Any) -> Any:
    if isinstance(node, dict) and isinstance(node.get("properties"), dict):
        node = {**node, "properties": [{"name": name, "value": value} for name, value in node["properties"].items()]}
    return node


def body_problems(kind: Kind, body: Mapping[str, Any], source: str) -> list[Problem]:
    """Schema problems the file written for `body` would have: check before writing it."""
    data, _ = to_file_form(kind, strip(kind, body))
    return schemas.check(kind.value, data, source)


# -- writing -----------------------------------------------------------------------------------


def unsafe_path_problem(key: ObjectKey, body: Mapping[str, Any]) -> str | None:
    """Why this object's name or directory cannot be a path in the repo, or None. A CDM object's
    plan name is `<cluster>/<name>`: each part is a path segment (cdm/<cluster>/<kind>/<name>.yaml)."""
    if key.kind in CDM_KINDS:
        return next(filter(None, (paths.name_problem(part) for part in cdm.split(key.name))), None)
    problem = paths.name_problem(key.name)
    if problem is None and body.get("directory") is not None:
        problem = paths.directory_problem(str(body.get("directory")))
    return problem


def object_path(folder: Path, key: ObjectKey, body: Mapping[str, Any]) -> Path:
    """Where the object's YAML file goes; ConfigError (naming the object) when its name or
    directory would leave the workspace folder or cannot be a file name."""
    problem = unsafe_path_problem(key, body)
    if problem:
        raise ConfigError(
            [Problem(str(key), f"{problem}; nothing was written: rename it in the workspace (or the repo)")]
        )
    directory = directory_of(body)
    base = folder / key.kind.folder
    return (base / directory if directory else base) / f"{key.name}.yaml"


def render_object(
    folder: Path, key: ObjectKey, body: Mapping[str, Any], *, schema_dir: Path
) -> tuple[dict[Path, bytes], dict[str, Any]]:
    """(the files that hold one object, absolute path -> bytes; the YAML file's mapping)."""
    path = object_path(folder, key, body)
    data, content = to_file_form(key.kind, strip(key.kind, body))
    schema = Path(os.path.relpath(schema_dir / f"{key.kind.value}.{schemas.VERSION}.json", path.parent))
    text = SCHEMA_LINE.format(path=schema.as_posix()) + yamlio.dump(data)
    files = {path: text.encode()}
    if key.kind is Kind.SCRIPT and content is not None:
        suffix = sidecar_suffix(str(body.get("type", "")))
        files[path.with_suffix(suffix)] = content.encode()
    return files, data


def render_files(folder: Path, key: ObjectKey, body: Mapping[str, Any], *, schema_dir: Path) -> dict[Path, bytes]:
    """The files (absolute path -> bytes) that hold one object."""
    return render_object(folder, key, body, schema_dir=schema_dir)[0]


# -- loading -----------------------------------------------------------------------------------


def object_files(folder: Path) -> Iterable[tuple[Kind, Path]]:
    """Each kind's .yaml files under its folder, in path order (one os.walk, not a glob)."""
    for kind in FILE_KINDS:
        base = folder / kind.folder
        if base.is_dir():
            found = [
                os.path.join(dirpath, name)  # noqa: PTH118  strings: pathlib's parsing cost 1 s at 15,000 files
                for dirpath, _, names in os.walk(base)
                for name in names
                if name.endswith(".yaml")
            ]
            for path in sorted(found, key=lambda text: text.split(os.sep)):  # noqa: PTH206  Path order, as before
                yield kind, Path(path)


def existing_files(folder: Path, kinds: Iterable[Kind] = FILE_KINDS) -> dict[ObjectKey, list[Path]]:
    """Current object files (YAML and script content files) by the key their file name gives."""
    wanted = set(kinds)
    found: dict[ObjectKey, list[Path]] = {}
    siblings = Siblings()
    for kind, path in object_files(folder):
        if kind not in wanted:
            continue
        paths = found.setdefault(ObjectKey(kind, path.stem), [])
        paths.append(path)
        if kind is Kind.SCRIPT:
            paths += siblings.content_files(path)
    return found


class Siblings:
    """Files by folder and stem, each folder listed once: finding a script's content file
    by globbing its folder per script was quadratic in the folder's size."""

    def __init__(self) -> None:
        self._folders: dict[Path, dict[str, list[Path]]] = {}
        self._inside: dict[Path, bool] = {}

    def outside(self, path: Path, root: Path, is_link: bool | None = None) -> bool:
        """Whether `path` leads outside `root` through a symlink (its folder's answer is kept);
        `is_link`: whether `path` is a symlink, when the caller knows."""
        if path.is_symlink() if is_link is None else is_link:
            return not paths.inside(path, root)
        inside = self._inside.get(path.parent)
        if inside is None:
            inside = self._inside[path.parent] = paths.inside(path.parent, root)
        return not inside

    def content_files(self, path: Path) -> list[Path]:
        listing = self._folders.get(path.parent)
        if listing is None:
            listing = {}
            with os.scandir(path.parent) as entries:
                for entry in entries:
                    if entry.is_file():
                        stem, _, suffix = entry.name.rpartition(".")
                        if stem and suffix != "yaml":
                            listing.setdefault(stem, []).append(path.parent / entry.name)
            self._folders[path.parent] = listing
        return sorted(listing.get(path.stem, ()))


def _sidecar(path: Path, rel: str, problems: list[Problem], siblings: Siblings) -> str | None:
    candidates = siblings.content_files(path)
    if len(candidates) == 1 and candidates[0].is_symlink() and not paths.inside(candidates[0], path.parent):
        problems.append(Problem(rel, f"{candidates[0].name} is a symlink; a content file must be a real file"))
        return None
    if len(candidates) != 1:
        found = ", ".join(p.name for p in candidates) or "none"
        problems.append(
            Problem(
                rel,
                f"a script needs exactly one content file beside it ({path.stem}.sql, .sh, .py or .txt); found {found}",
            )
        )
        return None
    raw = candidates[0].read_bytes()
    problem = limits.utf8_problem(raw, Path(rel).with_name(candidates[0].name).as_posix())
    if problem:
        problems.append(problem)
        return None
    return raw.decode("utf-8")


class _Lines:
    """Line numbers of a file's YAML nodes, parsed only when a problem needs one (none
    for a mapping that was never text)."""

    def __init__(self, text: str) -> None:
        self.text = text
        self._map: dict[tuple[str | int, ...], int] | None = None

    def of(self, *path: str | int) -> int | None:
        if self._map is None:
            self._map = yamlio.line_map(self.text)
        return yamlio.line_of(self._map, path)


def prime_cache(
    cache_path: Path,
    folder: Path,
    repo_root: Path,
    written: Iterable[tuple[Kind, Path, bytes, dict[str, Any]]],
    *,
    checked: bool = False,
    known: Mapping[Path, tuple[str, str | None]] | None = None,
) -> None:
    """Record files jobsync itself just wrote, so the next read need not parse them.

    Each mapping goes through the same checks as a file read from disk (`checked`: the
    caller already ran file_problems on each, the costly part); only what passes is
    recorded, so the cache never lets a bad file through. `known`: the checked body's text and
    fingerprint of files the caller already checked that way (repo/render.py).
    """
    cache = ParseCache(cache_path)
    cache.seen.update(cache.entries)
    for kind, path, raw, data in written:
        rel = path.relative_to(repo_root).as_posix()
        if known is not None and path in known:
            cache.put(rel, digest(raw), *known[path])
            continue
        body = checked_body(kind, path, rel, data, folder=folder, text=None, problems=[], checked=checked)
        if body is not None:
            cache.put(rel, digest(raw), body_text(body), stored_fingerprint(kind, body))
    cache.save()


def _parse(kind: Kind, rel: str, text: str, problems: list[Problem]) -> dict[str, Any] | None:
    try:
        data = yamlio.load(text)
    except yaml.YAMLError as error:
        problems.append(yamlio.syntax_problem(error, rel, text))
        return None
    if not isinstance(data, dict):
        problems.append(Problem(rel, f"a {kind.value} file must hold a mapping", 1))
        return None
    return data


def file_problems(kind: Kind, data: Mapping[str, Any], rel: str, text: str | None = None) -> list[Problem]:
    """What validate refuses in one object file's mapping: the schema, and what no JSON Schema
    can say (a cron expression's fields, core/cron.py)."""
    problems = schemas.check(kind.value, data, rel, text)
    if not problems and kind is Kind.JOB:
        problems = cron.job_problems(data, rel, text)
    return problems


def checked_body(
    kind: Kind,
    path: Path,
    rel: str,
    data: dict[str, Any],
    *,
    folder: Path,
    text: str | None,
    problems: list[Problem],
    checked: bool = False,
) -> dict[str, Any] | None:
    """The API-form body (a script's without its content) of a file's mapping, if it passes
    the schema (unless already `checked`), the name and the folder checks; problems are appended."""
    found = [] if checked else file_problems(kind, data, rel, text)
    if found:
        problems.extend(found)
        return None
    lines = _Lines(text or "")
    if data["name"] != path.stem:
        problems.append(
            Problem(
                rel,
                f"name {data['name']!r} must match the file name {path.stem!r}; rename one of them",
                lines.of("name"),
                "name",
            )
        )
        return None
    folder_dir = normal_directory(path.parent.relative_to(folder / kind.folder).as_posix())
    if "directory" in data and normal_directory(data["directory"]) != folder_dir:
        problems.append(
            Problem(
                rel,
                f"directory {data['directory']!r} does not match the folder the file is in "
                f"({folder_dir!r}); move the file or fix the field",
                lines.of("directory"),
                "directory",
            )
        )
        return None
    if "directory" not in data and folder_dir != "/":
        data = {"name": data["name"], "directory": folder_dir, **data}
    return from_file_form(kind, data, None)


def parse_file(kind: Kind, path: Path, folder: Path, rel: str, raw: bytes) -> Parsed:
    """Parse and check one object file's bytes: (the checked body as JSON text, its canonical
    fingerprint (None for a script: its content is in another file), problems). Pure, so it
    runs in a worker process as well as here (repo/workers.py)."""
    problems: list[Problem] = []
    problem = limits.utf8_problem(raw, rel)
    if problem:
        return None, None, [problem]
    text = raw.decode("utf-8")
    data = _parse(kind, rel, text, problems)
    body = checked_body(kind, path, rel, data, folder=folder, text=text, problems=problems) if data else None
    if body is None:
        return None, None, problems
    return body_text(body), stored_fingerprint(kind, body), problems


Parsed = tuple[str | None, str | None, list[Problem]]


def parse_job(job: tuple[Kind, Path, Path, str, bytes]) -> Parsed:
    """parse_file(*job): what a worker process runs (repo/workers.py)."""
    return parse_file(*job)


def load_file(
    kind: Kind,
    path: Path,
    *,
    folder: Path,
    repo_root: Path,
    problems: list[Problem],
    siblings: Siblings | None = None,
) -> Spec | None:
    """Parse and check one object file (no cache); problems are appended, never raised."""
    rel = path.relative_to(repo_root).as_posix()
    siblings = siblings or Siblings()
    if siblings.outside(path, repo_root):
        problems.append(_outside(path, rel))
        return None
    text, fingerprint, found = parse_file(kind, path, folder, rel, path.read_bytes())
    problems.extend(found)
    return _spec(kind, path, rel, text, fingerprint, problems, siblings, None) if text is not None else None


def _outside(path: Path, rel: str) -> Problem:
    return Problem(rel, f"leads outside the repository through a symlink ({paths.resolved(path)}); not read")


def _spec(
    kind: Kind,
    path: Path,
    rel: str,
    text: str,
    fingerprint: str | None,
    problems: list[Problem],
    siblings: Siblings,
    cached: tuple[ParseCache, str] | None,
) -> Spec | None:
    """The Spec of a checked file: a job's or resource's holds the JSON text and decodes it
    when its body is first read (core/model.py StoredBody); a script's gets its content file,
    and its fingerprint from the cache when the content's digest is the one recorded."""
    if kind is not Kind.SCRIPT:
        return Spec(ObjectKey(kind, path.stem), stored=text, source=rel, digest=fingerprint)  # name == stem: checked
    body = json.loads(text)
    if CONTENT_KEY in body:  # `content: null`: no content file
        if siblings.content_files(path):
            problems.append(Problem(rel, "`content: null` says the script has no content; remove its content file"))
            return None
        full = text
    else:
        content = _sidecar(path, rel, problems, siblings)
        if content is None:
            return None
        full = text[:-1] + ',"content":' + json.dumps(content, ensure_ascii=False) + "}"  # body_text of the whole
    found = _script_fingerprint(full, fingerprint, cached)
    return Spec(ObjectKey(kind, path.stem), stored=full, source=rel, digest=found)


def _script_fingerprint(full: str, recorded: str | None, cached: tuple[ParseCache, str] | None) -> str:
    """A script's fingerprint: the cache keeps it as "<digest of the whole body text>:<fingerprint>"."""
    text_digest = digest(full.encode())
    if recorded and recorded.startswith(text_digest + ":"):
        return recorded.partition(":")[2]
    found = body_fingerprint(Kind.SCRIPT, json.loads(full))
    if cached is not None:
        cache, rel = cached
        entry = cache.entries.get(rel)
        if entry is not None:
            cache.put(rel, entry[0], entry[1], f"{text_digest}:{found}")
    return found


def stored_fingerprint(kind: Kind, body: Mapping[str, Any]) -> str | None:
    """The canonical fingerprint kept in the parse cache; none for scripts, whose content
    (part of the body) is in the content file, not in the cached YAML."""
    return None if kind is Kind.SCRIPT else body_fingerprint(kind, body)


KNOWN_FOLDERS = frozenset({*(kind.folder for kind in FILE_KINDS), "overrides", "cdm"})  # cdm/: repo/cdmfiles.py


def stray_problems(folder: Path, repo_root: Path) -> list[Problem]:
    """Files that look like objects but that jobsync would not read: a folder it does not know
    (`Jobs/`, `job/`), a `.yml` (or `.YAML`) file. Left unread they would plan deletes."""
    problems: list[Problem] = []
    if not folder.is_dir():
        return problems
    for entry in sorted(folder.iterdir()):
        if entry.is_dir() and entry.name not in KNOWN_FOLDERS and not entry.name.startswith("."):
            near = [name for name in sorted(KNOWN_FOLDERS) if name.lower() == entry.name.lower().rstrip("s") + "s"]
            hint = f"; did you mean {near[0]}/ (names are case-sensitive)?" if near else ""
            problems.append(
                Problem(
                    entry.relative_to(repo_root).as_posix() + "/",
                    f"unknown folder: jobsync reads only {', '.join(sorted(KNOWN_FOLDERS))} in a workspace "
                    f"folder, so nothing in it is read{hint}",
                )
            )
    for kind in FILE_KINDS:
        base = folder / kind.folder
        for dirpath, _, filenames in os.walk(base):
            for filename in filenames:
                stem, dot, suffix = filename.rpartition(".")
                if dot and suffix.lower() in ("yml", "yaml") and suffix != "yaml":
                    rel = (Path(dirpath) / filename).relative_to(repo_root).as_posix()
                    problems.append(
                        Problem(rel, f"jobsync reads only .yaml files; rename it to {stem}.yaml to have it read")
                    )
    return problems


def load_objects(
    folder: Path, repo_root: Path, *, cache_path: Path | None = None, stats: CacheStats | None = None
) -> dict[ObjectKey, Spec]:
    """Every object of a workspace folder; raises ConfigError listing all problems.

    With `cache_path`, files whose bytes the cache has seen are not parsed again (repo/parsecache.py);
    the others are parsed on all cores when there are enough of them (repo/workers.py). `stats`
    adds up how many came from the cache and how many were parsed.
    """
    problems: list[Problem] = stray_problems(folder, repo_root)
    cache = ParseCache(cache_path)
    siblings = Siblings()
    found = list(object_files(folder))
    workers.warm_up(len(found) - len(cache.entries))  # more files than entries: many to parse
    reads = [_read(kind, path, repo_root, cache, siblings) for kind, path in found]
    misses = [(r.kind, r.path, folder, r.rel, r.raw) for r in reads if r.entry is None and r.raw is not None]
    parsed = iter(workers.run_all(parse_job, misses, len(misses)))
    specs: dict[ObjectKey, Spec] = {}
    for read in reads:
        if isinstance(read.entry, Problem):
            problems.append(read.entry)
            continue
        spec = _loaded(read, read.entry or next(parsed), cache, problems, siblings)
        if spec is not None and spec.key in specs:
            problems.append(
                Problem(read.rel, f"{spec.key} is defined twice: here and in {specs[spec.key].source}; keep one")
            )
        elif spec is not None:
            specs[spec.key] = spec
    specs.update(cdm_specs(folder, repo_root, problems))
    if cache_path is not None:
        cache.save()
    if stats is not None:
        stats.add(cache.stats)
    if problems:
        raise ConfigError(problems)
    return specs


def cdm_specs(folder: Path, repo_root: Path, problems: list[Problem]) -> dict[ObjectKey, Spec]:
    """The CDM links and jobs of a workspace folder (repo/cdmfiles.py), keyed for the plan as
    `<cluster>/<name>` under the repo's cluster names; problems are appended."""
    try:
        found = cdmfiles.load(folder, repo_root)
    except ConfigError as error:
        problems.extend(error.problems)
        return {}
    return {
        ObjectKey(cdm.plan_kind(key.kind), cdm.qualified(key.cluster, key.name)): Spec(
            ObjectKey(cdm.plan_kind(key.kind), cdm.qualified(key.cluster, key.name)),
            dict(spec.body),
            source=spec.source,
        )
        for key, spec in found.items()
    }


@dataclass(frozen=True, slots=True)
class _Read:
    kind: Kind
    path: Path
    rel: str
    raw: bytes | None  # None when the cache has the file (or it is not read)
    digest: str
    entry: Entry | Problem | None  # the cache's entry, or the problem that stops the file being read


def _loaded(
    read: _Read, found: Entry | Parsed, cache: ParseCache, problems: list[Problem], siblings: Siblings
) -> Spec | None:
    """The Spec of a file read from the cache (an Entry) or parsed now (Parsed)."""
    if isinstance(found, Entry):
        text, fingerprint = found.text, found.fingerprint
        cache.stats.cached += 1
    else:
        parsed_text, fingerprint, file_problems = found
        problems.extend(file_problems)
        cache.stats.parsed += 1
        if parsed_text is None:
            return None
        text = parsed_text
        cache.put(read.rel, read.digest, text, fingerprint)
    return _spec(read.kind, read.path, read.rel, text, fingerprint, problems, siblings, (cache, read.rel))


def _relative(path: Path, repo_root: Path) -> str:
    """path.relative_to(repo_root).as_posix(), without pathlib's parsing (15,000 files)."""
    text, root = str(path), str(repo_root).rstrip(os.sep) + os.sep
    if text.startswith(root):
        return text[len(root) :].replace(os.sep, "/")
    return path.relative_to(repo_root).as_posix()


def _read(kind: Kind, path: Path, repo_root: Path, cache: ParseCache, siblings: Siblings) -> _Read:
    rel = _relative(path, repo_root)
    found = os.lstat(path)
    is_link = stat.S_ISLNK(found.st_mode)
    if siblings.outside(path, repo_root, is_link):
        return _Read(kind, path, rel, None, "", _outside(path, rel))
    raw, file_digest = read_file(path, rel, cache.stat_index, path.stat() if is_link else found)
    entry = cache.get(rel, file_digest)
    if entry is None and raw is None:  # the stat index knew the digest; the entry is gone
        raw = path.read_bytes()
        file_digest = digest(raw)
    return _Read(kind, path, rel, raw if entry is None else None, file_digest, entry)  # bytes kept only to parse
