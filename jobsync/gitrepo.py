"""The only module that imports gitpython: finding the repo, checking files, committing."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

import git

from jobsync.errors import RepoError


def find_root(start: Path) -> Path:
    """The work tree around `start`."""
    try:
        repo = git.Repo(start, search_parent_directories=True)
    except (git.InvalidGitRepositoryError, git.NoSuchPathError):
        raise RepoError(
            f"{start} is not inside a git repository; run jobsync from the repo, pass --repo, "
            "or create one with `jobsync init`"
        ) from None
    if repo.working_tree_dir is None:
        raise RepoError(f"{start} is a bare repository; jobsync needs a work tree")
    return Path(repo.working_tree_dir)


def init(path: Path) -> bool:
    """git init `path` unless it is already a repo; True when it made one."""
    try:
        git.Repo(path)
        return False
    except (git.InvalidGitRepositoryError, git.NoSuchPathError):
        path.mkdir(parents=True, exist_ok=True)
        git.Repo.init(path, initial_branch="main")
        return True


def _repo(root: Path) -> git.Repo:
    return git.Repo(root)


def head(root: Path) -> str | None:
    try:
        return _repo(root).head.commit.hexsha
    except ValueError:  # no commit yet
        return None


def dirty_paths(root: Path, under: Iterable[Path]) -> list[str]:
    """Files below `under` that differ from HEAD or are untracked (relative, sorted)."""
    rels = [str(p.relative_to(root)) for p in under if p.exists() or p.parent.exists()]
    if not rels:
        return []
    out = _repo(root).git.status("--porcelain", "--untracked-files=all", "--", *rels)
    return sorted(line[3:].strip('"') for line in out.splitlines() if line.strip())


def commit(root: Path, paths: Iterable[Path], message: str) -> str | None:
    """Stage `paths` (added, changed or deleted) and commit them; None when nothing changed."""
    repo = _repo(root)
    rels = [str(p.relative_to(root)) for p in paths]
    if not rels:
        return None
    repo.git.add("--all", "--", *rels)
    if not repo.git.diff("--cached", "--name-only", "--", *rels).strip():
        return None
    try:
        repo.git.commit("-m", message, "--", *rels)
    except git.GitCommandError as error:
        raise RepoError(f"git commit failed: {error.stderr.strip() or error}") from None
    return repo.head.commit.hexsha


def changed_since(root: Path, ref: str) -> list[str]:
    """Files changed between `ref` and the work tree (committed or not)."""
    repo = _repo(root)
    try:
        base = repo.git.merge_base(ref, "HEAD")
    except git.GitCommandError:
        raise RepoError(f"unknown git ref {ref!r}; fetch it first (e.g. `git fetch origin main`)") from None
    # --no-renames: a renamed file lists both paths, so the old name plans as a deletion
    names = repo.git.diff("--name-only", "--no-renames", base, "--").splitlines()
    untracked = repo.untracked_files
    return sorted(set(names) | set(untracked))
