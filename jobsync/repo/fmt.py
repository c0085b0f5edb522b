"""`jobsync fmt`: each object file as export would write it (the canonical file form).

A file is canonical when its bytes are what `render_object` makes of the body it holds: keys
in the stored order, plain node properties as a mapping, `directory` spelt `/a/b`, strings
quoted where YAML 1.1 or 1.2 would read them as anything else. Rewriting never changes
meaning: the canonical form (core/canonical.py) of the body is the same before and after.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from jobsync.errors import Problem
from jobsync.fileio import write_atomic
from jobsync.repo import cdmfiles
from jobsync.repo.files import load_file, object_files, render_object
from jobsync.repo.schemas import schema_dir


@dataclass(frozen=True)
class Unformatted:
    """One file that is not in the canonical form: where, and its first differing line."""

    path: Path
    rel: str
    line: int
    canonical: bytes

    def problem(self) -> Problem:
        return Problem(self.rel, "not in the canonical form; run `jobsync fmt` to rewrite it", self.line)


def first_difference(a: bytes, b: bytes) -> int:
    """The 1-based line where `a` and `b` first differ."""
    lines_a, lines_b = a.splitlines(), b.splitlines()
    for number, (x, y) in enumerate(zip(lines_a, lines_b, strict=False), start=1):
        if x != y:
            return number
    return min(len(lines_a), len(lines_b)) + 1


def unformatted(folder: Path, repo_root: Path) -> list[Unformatted]:
    """Every object file of a workspace folder whose bytes are not canonical (files that do
    not load are left to validate, which reports them)."""
    found = []
    schemas = repo_root / "schemas"
    if not schemas.is_dir():
        schemas = schema_dir()
    for kind, path in object_files(folder):
        spec = load_file(kind, path, folder=folder, repo_root=repo_root, problems=[])
        if spec is None:
            continue
        files, _ = render_object(folder, spec.key, spec.body, schema_dir=schemas)
        wanted = files.get(path)
        raw = path.read_bytes()
        if wanted is not None and wanted != raw:
            rel = path.relative_to(repo_root).as_posix()
            found.append(Unformatted(path, rel, first_difference(raw, wanted), wanted))
    for path, wanted in cdmfiles.unformatted(folder, repo_root, schemas):
        raw = path.read_bytes()
        found.append(Unformatted(path, path.relative_to(repo_root).as_posix(), first_difference(raw, wanted), wanted))
    return found


def rewrite(files: list[Unformatted]) -> None:
    for item in files:
        write_atomic(item.path, item.canonical)
