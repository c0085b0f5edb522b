"""The only module that imports gitpython: finding the repo, checking files, committing."""

from __future__ import annotations

import subprocess
import tempfile
from collections.abc import Iterable
from pathlib import Path

import git

from jobsync.errors import RepoError

MANY_PATHS = 500  # above this, paths are not passed on the command line


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


def message(root: Path, commit: str) -> str | None:
    """The message of a commit, or None when the repo does not have it."""
    try:
        return str(_repo(root).commit(commit).message)
    except (ValueError, git.BadName, git.GitCommandError):
        return None


def resolve(root: Path, rev: str) -> tuple[str, str] | None:
    """(full sha, subject line) of a commit the repo has, or None."""
    try:
        found = _repo(root).commit(rev)
        message = str(found.message)  # read here: a sha the repo lacks fails only when read
    except (ValueError, git.BadName, git.GitCommandError):
        return None
    return found.hexsha, (message.strip().splitlines() or [""])[0]


def detached(root: Path) -> bool:
    """Whether HEAD is detached (no branch checked out): a commit there belongs to no branch."""
    try:
        return bool(_repo(root).head.is_detached)
    except ValueError:
        return False


def dirty_paths(root: Path, under: Iterable[Path]) -> list[str]:
    """Files below `under` that differ from HEAD or are untracked (relative, sorted)."""
    rels = [str(p.relative_to(root)) for p in under if p.exists() or p.parent.exists()]
    if not rels:
        return []
    if len(rels) <= MANY_PATHS:
        out = _repo(root).git.status("--porcelain", "-z", "--untracked-files=all", "--", *rels)
        return sorted(status_paths(out))
    # thousands of paths do not fit on a command line: ask for all, keep those asked about
    out = _repo(root).git.status("--porcelain", "-z", "--untracked-files=all")
    wanted = set(rels)
    folders = tuple(r.rstrip("/") + "/" for r in rels if (root / r).is_dir())
    found = status_paths(out)
    return sorted(p for p in found if p in wanted or p.startswith(folders))


def commit(root: Path, paths: Iterable[Path], message: str) -> str | None:
    """Stage `paths` (added, changed or deleted) and commit them; None when nothing changed.

    Paths are staged with `update-index` from stdin: linear in their number, where pathspecs
    (10,000 of them do not fit on a command line anyway) are matched against every file.
    Anything else already staged stays out of the commit.
    """
    repo = _repo(root)
    rels = [str(p.relative_to(root)) for p in paths]
    if not rels:
        return None
    listing = "\0".join(rels) + "\0"
    before = _staged(repo)
    _git(root, "update-index", "--add", "--remove", "-z", "--stdin", stdin=listing)
    ours = set(rels)
    if not _staged(repo) & ours:
        return None
    others = ("--pathspec-from-file=-", "--pathspec-file-nul") if before - ours else ()
    try:  # the message goes through a file: an export of 10,000 objects lists them all
        with tempfile.NamedTemporaryFile("w", suffix=".txt", encoding="utf-8") as note:
            note.write(message)
            note.flush()
            _git(root, "commit", "-q", "-F", note.name, *others, stdin=listing if others else "")
    except git.GitCommandError as error:
        raise RepoError(f"git commit failed: {error.stderr.strip() or error}") from None
    return repo.head.commit.hexsha


def _staged(repo: git.Repo) -> set[str]:
    try:
        out = repo.git.diff("--cached", "--name-only", "-z")
    except git.GitCommandError:  # no commit yet: everything in the index is staged
        out = repo.git.ls_files("-z")
    return {name for name in out.split("\0") if name}


def _git(root: Path, *args: str, stdin: str) -> None:
    """Run git with `stdin` as its input; failures raise git.GitCommandError."""
    done = subprocess.run(["git", *args], cwd=root, input=stdin.encode(), capture_output=True)
    if done.returncode:
        raise git.GitCommandError(["git", *args], done.returncode, done.stderr.decode(errors="replace"))


def renamed_in_history(root: Path, folder: str) -> list[tuple[str, str]]:
    """(old path, new path) of every file under `folder` that a commit of HEAD's history renamed
    (git's rename detection, 50% similar or more), plus renames staged now; oldest first."""
    repo = _repo(root)
    pairs: list[tuple[str, str]] = []
    try:
        logged = repo.git.log("-M", "--diff-filter=R", "--name-status", "-z", "--format=", "--reverse", "--", folder)
        staged = repo.git.diff("-M", "--cached", "--name-status", "-z", "HEAD", "--", folder)
    except git.GitCommandError:
        return pairs  # no commit yet
    for text in (logged, staged):
        fields = [f for f in text.replace("\n", "\0").split("\0") if f]
        index = 0
        while index < len(fields) - 2:
            if fields[index].startswith("R"):
                pairs.append((fields[index + 1], fields[index + 2]))
                index += 3
            else:
                index += 1
    return pairs


def renamed_since(root: Path, ref: str) -> list[tuple[str, str]]:
    """(old path, new path) of files git sees renamed (50% similar or more) between the merge
    base with `ref` and the index or work tree (a `git mv` is staged, so it counts)."""
    repo = _repo(root)
    try:
        base = repo.git.merge_base(ref, "HEAD")
    except git.GitCommandError:
        raise RepoError(f"unknown git ref {ref!r}; fetch it first (e.g. `git fetch origin main`)") from None
    pairs = []
    for args in (("-M", "--name-status", "-z", base), ("-M", "--cached", "--name-status", "-z", base)):
        fields = repo.git.diff(*args, "--").split("\0")
        index = 0
        while index < len(fields) - 1:
            status = fields[index]
            if status.startswith(("R", "C")):
                if status.startswith("R"):
                    pairs.append((fields[index + 1], fields[index + 2]))
                index += 3
            else:
                index += 2
    return sorted(set(pairs))


def status_paths(out: str) -> list[str]:
    """Paths of `git status --porcelain -z`: unquoted, so `日报.yaml` reads as written."""
    paths, entries = [], iter(out.split("\0"))
    for entry in entries:
        if len(entry) > 3:
            paths.append(entry[3:])
            if entry[0] in "RC":
                next(entries, None)  # the rename's old path follows
    return paths


def changed_since(root: Path, ref: str) -> list[str]:
    """Files changed between `ref` and the work tree (committed or not)."""
    repo = _repo(root)
    try:
        base = repo.git.merge_base(ref, "HEAD")
    except git.GitCommandError:
        raise RepoError(f"unknown git ref {ref!r}; fetch it first (e.g. `git fetch origin main`)") from None
    # --no-renames: a renamed file lists both paths, so the old name plans as a deletion
    # -z: paths unquoted (`"jobs/\\346\\212..."` otherwise), so non-ASCII names match their files
    names = [n for n in repo.git.diff("--name-only", "-z", "--no-renames", base, "--").split("\0") if n]
    untracked = repo.untracked_files
    return sorted(set(names) | set(untracked))


def last_commit_with(root: Path, patterns: Iterable[str]) -> str | None:
    """The newest commit reachable from HEAD whose message matches one of the (extended)
    regular expressions, or None."""
    args = [f"--grep={pattern}" for pattern in patterns]
    try:
        out = _repo(root).git.log("-1", "--format=%H", "-E", *args)
    except (ValueError, git.GitCommandError):
        return None  # no commit yet
    return out.strip() or None


def files_at(root: Path, commit: str, under: Path) -> set[str]:
    """The files below `under` (repo-relative posix paths) in `commit`'s tree."""
    rel = under.relative_to(root).as_posix()
    out = _repo(root).git.ls_tree("-r", "--name-only", "-z", commit, "--", rel)
    return {name for name in out.split("\0") if name}
