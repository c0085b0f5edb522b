"""The parse cache on disk: updated per entry, and its stat index only a fast path."""

from __future__ import annotations

import os
import time
from pathlib import Path

import pytest
from support import job_body

from jobsync.core.model import Kind
from jobsync.repo.files import load_objects


@pytest.fixture
def repo(local):
    for name in ("日报", "周报", "月报"):
        local.put(Kind.JOB, job_body(name))
    return local


def load(repo) -> dict:
    specs = load_objects(repo.folder, repo.root, cache_path=repo.root / ".jobsync" / "cache" / "repo-dev.jsonl")
    return {key.name: spec.body for key, spec in specs.items()}


def age(folder: Path, seconds: float) -> None:
    """Set every file's mtime `seconds` in the past (as a checkout a while ago leaves them)."""
    past = time.time_ns() - int(seconds * 1e9)
    for path in folder.rglob("*.yaml"):
        os.utime(path, ns=(past, past))


def reads(monkeypatch) -> list[str]:
    seen: list[str] = []
    original = Path.read_bytes

    def counting(self: Path) -> bytes:
        if self.suffix == ".yaml":
            seen.append(self.name)
        return original(self)

    monkeypatch.setattr(Path, "read_bytes", counting)
    return seen


def test_a_read_appends_only_the_entries_it_changed(repo):
    load(repo)
    cache = repo.root / ".jobsync" / "cache" / "repo-dev.jsonl"
    before = cache.read_bytes()
    path = repo.folder / "jobs" / "周报.yaml"
    path.write_text(path.read_text().replace("0 0 2 * * ?", "0 0 5 * * ?"))

    bodies = load(repo)

    after = cache.read_bytes()
    assert after.startswith(before)
    assert after[len(before) :].count(b"\n") == 1 and "周报".encode() in after[len(before) :]
    assert bodies["周报"]["schedule"]["cron"]["expression"] == "0 0 5 * * ?"
    load(repo)
    assert cache.read_bytes() == after  # nothing changed: nothing written


def test_the_stat_index_skips_reading_old_unchanged_files_and_never_hides_an_edit(repo, monkeypatch):
    age(repo.folder, 60)
    load(repo)  # hashes every file, records their stat
    seen = reads(monkeypatch)

    assert load(repo)["日报"]["name"] == "日报"
    assert seen == []  # every stat matched, every file old: none read

    path = repo.folder / "jobs" / "日报.yaml"
    path.write_text(path.read_text().replace("0 0 2 * * ?", "0 0 7 * * ?"))
    bodies = load(repo)
    assert seen == ["日报.yaml"]
    assert bodies["日报"]["schedule"]["cron"]["expression"] == "0 0 7 * * ?"


def test_a_file_modified_just_before_the_index_was_written_is_hashed_again(repo, monkeypatch):
    age(repo.folder, -1)  # modified "now" however slow this machine is: within the racy window
    load(repo)  # their stat is recorded, but not trusted yet
    seen = reads(monkeypatch)

    load(repo)

    assert sorted(seen) == sorted(["日报.yaml", "周报.yaml", "月报.yaml"])


def test_a_cache_of_another_version_is_rewritten_not_appended_to(repo):
    cache = repo.root / ".jobsync" / "cache" / "repo-dev.jsonl"
    cache.parent.mkdir(parents=True)
    cache.write_text('{"version": "jobsync 0.0.1/old"}\n"x"\tstale\n')

    load(repo)
    load(repo)

    lines = cache.read_text().splitlines()
    assert "old" not in lines[0] and len(lines) == 4  # the header and the three files, once each
