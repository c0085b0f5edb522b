"""Reading a workspace folder as it is at a git ref, straight from git's object store.

workspace.yaml's `source: {workspace, ref}` deploys another workspace's definitions as they
are at `ref` (a tag, branch or commit). Nothing is checked out: the work tree, the index and
HEAD stay as they are. The folder's blobs are listed with `git ls-tree` and read with one
`git cat-file --batch`, then laid out in a temporary folder, so the one repo loader (files.py)
reads them with every check it makes on a work tree.
"""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

from jobsync.errors import RepoError


def _git(root: Path, *args: str, stdin: bytes | None = None) -> bytes:
    done = subprocess.run(["git", *args], cwd=root, input=stdin, capture_output=True, check=False)
    if done.returncode:
        raise RepoError(f"git {' '.join(args[:2])} failed: {done.stderr.decode(errors='replace').strip()}")
    return done.stdout


def resolve(root: Path, ref: str, *, where: str) -> str:
    """The commit `ref` names; RepoError naming `where` (file and field) when it names none."""
    if ref.startswith("-"):
        raise RepoError(f"{where}: {ref!r} is not a git ref; name a tag, branch or commit")
    done = subprocess.run(
        ["git", "rev-parse", "--verify", "--quiet", "--end-of-options", f"{ref}^{{commit}}"],
        cwd=root,
        capture_output=True,
        check=False,
    )
    if done.returncode:
        raise RepoError(
            f"{where}: {ref!r} does not resolve to a commit in this repository; "
            "fetch it (`git fetch --tags`) or name an existing tag, branch or commit"
        )
    return done.stdout.decode().strip()


def read_folder(root: Path, commit: str, folder: str) -> dict[str, bytes]:
    """Every file under `folder` (repo-relative, posix) at `commit`: path -> bytes."""
    listing = _git(root, "ls-tree", "-r", "-z", "--full-tree", commit, "--", folder.rstrip("/") + "/")
    blobs: list[tuple[str, str]] = []
    for record in listing.split(b"\0"):
        if not record:
            continue
        meta, _, raw_path = record.partition(b"\t")
        mode, kind, sha = meta.decode().split()
        if kind == "blob" and mode != "120000":  # symlinks are not followed out of the tree
            blobs.append((os.fsdecode(raw_path), sha))
    if not blobs:
        return {}
    out = _git(root, "cat-file", "--batch", stdin="".join(f"{sha}\n" for _, sha in blobs).encode())
    files: dict[str, bytes] = {}
    at = 0
    for path, _ in blobs:
        end = out.index(b"\n", at)
        size = int(out[at:end].split()[2])
        files[path] = out[end + 1 : end + 1 + size]
        at = end + 1 + size + 1
    return files


def read_file(root: Path, commit: str, path: str) -> bytes | None:
    """One file at `commit`, or None when it is not there."""
    done = subprocess.run(["git", "cat-file", "blob", f"{commit}:{path}"], cwd=root, capture_output=True, check=False)
    return done.stdout if done.returncode == 0 else None


def lay_out(files: dict[str, bytes], into: Path) -> None:
    """Write `files` (repo-relative paths) under `into`, refusing any path that leaves it."""
    base = into.resolve()
    for rel, data in files.items():
        target = (base / rel).resolve()
        if not target.is_relative_to(base):
            raise RepoError(f"{rel}: a path in git that leaves the repository; refusing to read it")
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(data)
