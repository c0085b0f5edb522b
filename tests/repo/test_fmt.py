"""`jobsync fmt`, `fmt --check` and validate's warning on a non-canonical file."""

from __future__ import annotations

import shutil
from pathlib import Path

from support import Scenario, git, job_body
from typer.testing import CliRunner

from jobsync.cli.app import app
from jobsync.core.model import Kind
from jobsync.core.normalize import canonical_text
from jobsync.repo.files import load_objects

REPO = Path(__file__).resolve().parents[2]

HAND_WRITTEN = """name: etl
nodes:
- name: start
  type: Dummy
  properties: []
schedule: {type: CRON, cron: {expression: 0 0 2 * * ?}}
directory: /a/b/
processType: BATCH
"""


def hand_written(local: Scenario) -> Path:
    path = local.folder / "jobs" / "a" / "b" / "etl.yaml"
    path.parent.mkdir(parents=True)
    path.write_text(HAND_WRITTEN)
    return path


def test_fmt_check_names_the_file_and_exits_1_changing_nothing(local):
    path = hand_written(local)

    result = local.run("fmt", "--check", "--repo", str(local.root))

    assert result.exit_code == 1
    assert "workspaces/dev/jobs/a/b/etl.yaml" in result.stdout
    assert path.read_text() == HAND_WRITTEN


def test_fmt_rewrites_canonically_without_changing_meaning(local):
    path = hand_written(local)
    before = canonical_text(Kind.JOB, next(iter(load_objects(local.folder, local.root).values())).body)

    assert local.run("fmt", "--repo", str(local.root)).exit_code == 0

    text = path.read_text()
    assert text.startswith("# yaml-language-server: $schema=")
    assert "directory: /a/b\n" in text and text.index("name:") < text.index("nodes:")
    specs = load_objects(local.folder, local.root)
    assert canonical_text(Kind.JOB, next(iter(specs.values())).body) == before
    assert local.run("fmt", "--check", "--repo", str(local.root)).exit_code == 0


def test_validate_warns_on_a_non_canonical_file_naming_file_and_line(local):
    hand_written(local)

    result = local.run("validate", "-w", "dev")

    assert result.exit_code == 0, result.stderr
    assert "warning: workspaces/dev/jobs/a/b/etl.yaml:1: not in the canonical form; run `jobsync fmt`" in result.stderr


def test_a_file_export_wrote_is_canonical(local):
    local.put(Kind.JOB, job_body("etl", directory="/x"))

    result = local.run("validate", "-w", "dev")

    assert result.exit_code == 0 and "warning" not in result.stderr


def test_the_example_workspaces_are_canonical(tmp_path):
    shutil.copytree(REPO / "workspaces", tmp_path / "workspaces")
    shutil.copytree(REPO / "schemas", tmp_path / "schemas")
    git(tmp_path, "init", "-q")

    result = CliRunner().invoke(app, ["fmt", "--check", "--repo", str(tmp_path)])

    assert result.exit_code == 0, result.stdout
