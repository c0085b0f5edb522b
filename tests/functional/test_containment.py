"""No path outside the repo is ever written (or read): names, directories, symlinks, backups,
the state document and the seed. Each test puts a folder beside the repo and checks that it
stays empty."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
import yaml
from support import Scenario, job_body, remote_job

from jobsync.core.model import Kind


def _everything(folder: Path) -> list[str]:
    return sorted(str(p.relative_to(folder)) for p in folder.rglob("*"))


def _outside(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("outside")


def _climb(scenario: Scenario, target: Path) -> str:
    """A DataArts directory that, written under jobs/, lands in `target`."""
    up = os.path.relpath(target, scenario.folder / "jobs")
    return "/" + up


def _seed_jobs(scenario: Scenario, *bodies: dict) -> None:
    document = scenario.document()
    document["jobs"] += [remote_job(body) for body in bodies]
    scenario.seed(document)


@pytest.mark.parametrize("how", ["directory", "name"])
def test_export_refuses_a_job_whose_directory_or_name_leaves_the_repo(scenario, tmp_path_factory, how):
    outside = _outside(tmp_path_factory)
    if how == "directory":
        body = job_body("x", directory=_climb(scenario, outside))
    else:
        body = job_body(os.path.relpath(outside / "x", scenario.folder / "jobs"))
    _seed_jobs(scenario, body, job_body("fine"))
    scenario.commit("start")

    result = scenario.run("export", "-w", "dev")

    assert result.exit_code == 1
    assert f"job {body['name']}" in result.stderr
    assert "nothing was written" in result.stderr
    assert _everything(outside) == []
    assert not (scenario.folder / "jobs" / "fine.yaml").exists()  # refused before writing anything


def test_export_refuses_to_write_through_a_committed_symlink(scenario, tmp_path_factory):
    outside = _outside(tmp_path_factory)
    (scenario.folder / "jobs").mkdir(parents=True)
    (scenario.folder / "jobs" / "d0").symlink_to(outside, target_is_directory=True)
    scenario.commit("a symlink")
    _seed_jobs(scenario, job_body("x", directory="/d0"))

    result = scenario.run("export", "-w", "dev")

    assert result.exit_code == 1
    assert "symlink" in result.stderr and "d0" in result.stderr
    assert _everything(outside) == []


def test_a_job_file_symlinked_outside_is_not_read(local, tmp_path_factory):
    outside = _outside(tmp_path_factory)
    (outside / "etl.yaml").write_text(yaml.safe_dump(job_body("etl")))
    (local.folder / "jobs").mkdir(parents=True)
    (local.folder / "jobs" / "etl.yaml").symlink_to(outside / "etl.yaml")
    local.commit()

    result = local.run("validate")

    assert result.exit_code == 1
    assert "jobs/etl.yaml" in result.stderr and "outside the repository" in result.stderr


def test_the_backup_of_a_deleted_job_with_a_climbing_name_stays_in_the_backups(scenario, tmp_path_factory):
    outside = _outside(tmp_path_factory)
    name = os.path.relpath(outside / "gone", scenario.root / ".jobsync/backups/dev/stamp/jobs")
    _seed_jobs(scenario, job_body(name))
    scenario.configure(prune=True)
    scenario.commit()

    result = scenario.run("apply", "-w", "dev", "--auto-approve", "--allow-mass-delete")

    # The emulator cannot route a name with '/' in a URL path (the delete fails, reported); the
    # backup is written first either way.
    assert result.exit_code == (0 if scenario.backend == "local" else 1), result.stderr
    assert _everything(outside) == []
    saved = list((scenario.root / ".jobsync/backups/dev").rglob("*.json"))
    assert any(json.loads(p.read_text()).get("name") == name for p in saved if p.name != "manifest.json")


@pytest.mark.parametrize("field", ["path", "seed"])
def test_backend_path_and_seed_outside_the_repo_are_refused_unless_the_environment_allows(
    local, tmp_path_factory, field
):
    outside = _outside(tmp_path_factory)
    config = yaml.safe_load((local.folder / "workspace.yaml").read_text())
    target = outside / "state.json"
    if field == "seed":
        target.write_text(json.dumps({"jobs": [], "scripts": [], "resources": []}))
        local.state_path.unlink()
    config["backend"][field] = os.path.relpath(target, local.root if field == "path" else local.folder)
    (local.folder / "workspace.yaml").write_text(yaml.safe_dump(config))
    local.put(Kind.JOB, job_body("etl"))
    local.commit()

    refused = local.run("apply", "-w", "dev", "--auto-approve")
    allowed = local.run("apply", "-w", "dev", "--auto-approve", env={"JOBSYNC_ALLOWED_PATHS": str(outside)})

    assert refused.exit_code == 1
    assert f"backend.{field}" in refused.stderr and "JOBSYNC_ALLOWED_PATHS" in refused.stderr
    assert allowed.exit_code == 0, allowed.stderr
    if field == "path":
        assert [e["definition"]["name"] for e in json.loads(target.read_text())["jobs"]] == ["etl"]


def test_a_seed_that_does_not_exist_is_an_error(local):
    config = yaml.safe_load((local.folder / "workspace.yaml").read_text())
    config["backend"]["seed"] = "seed.json"
    (local.folder / "workspace.yaml").write_text(yaml.safe_dump(config))
    local.state_path.unlink()
    local.commit()

    result = local.run("plan", "-w", "dev")

    assert result.exit_code == 1
    assert "seed 'seed.json' does not exist" in result.stderr


@pytest.mark.parametrize(
    ("name", "says"),
    [
        ("数据" * 45, "at most 250"),  # 90 Chinese characters: 270 bytes of UTF-8
        ("/abs", "'/'"),
        ("..", "cannot be a file name"),
    ],
)
def test_export_names_a_job_whose_name_cannot_be_a_file_name(scenario, name, says):
    _seed_jobs(scenario, job_body(name))
    scenario.commit()

    result = scenario.run("export", "-w", "dev")

    assert result.exit_code == 1, result.stderr
    assert says in result.stderr
    assert not (scenario.folder / "jobs").exists()


def test_export_names_a_job_whose_name_holds_a_nul(local):
    # The emulator's export zip cannot carry such a name; the local document can.
    _seed_jobs(local, job_body("a\0b"))
    local.commit()

    result = local.run("export", "-w", "dev")

    assert result.exit_code == 1
    assert "NUL" in result.stderr
    assert not (local.folder / "jobs").exists()
