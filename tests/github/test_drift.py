"""The drift workflow: its own shell steps (from the template) run with bash against a real
git remote, the workspace (local or emulator) and the fake GitHub API."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest
import yaml
from support import git, job_body

from jobsync.core.model import Kind, ObjectKey
from jobsync.github import TEMPLATES, drift
from jobsync.repo.files import render_files

BRANCH = "jobsync/drift/dev"


def drift_steps() -> list[dict]:
    workflow = yaml.safe_load((TEMPLATES / "jobsync-drift.yml").read_text())
    return [step for step in workflow["jobs"]["drift"]["steps"] if "run" in step]


def run_drift_workflow(scenario, fake_github, tmp: Path) -> dict[str, str]:
    """Run the drift job's `run:` steps as Actions would (bash -eo pipefail); its outputs."""
    output = tmp / "github_output"
    output.write_text("")
    env = {
        **os.environ,
        **scenario.env,
        **fake_github.env,
        "WORKSPACE": "dev",
        "BASE": "main",
        "RUNNER_TEMP": str(tmp),
        "GITHUB_OUTPUT": str(output),
    }
    git(scenario.root, "fetch", "-q", "origin")
    git(scenario.root, "checkout", "-q", "main")
    outputs: dict[str, str] = {}
    for step in drift_steps():
        if step.get("if") and outputs.get("drifted") != "true":
            continue
        subprocess.run(
            ["bash", "--noprofile", "--norc", "-eo", "pipefail", "-c", step["run"]],
            cwd=scenario.root,
            env=env,
            check=True,
            capture_output=True,
            text=True,
        )
        lines = output.read_text().splitlines()
        outputs.update(line.split("=", 1) for line in lines if "=" in line)
    return outputs


@pytest.fixture
def synced_repo_with_a_remote(scenario, tmp_path):
    """One job in git and in the workspace, and a bare `origin` the workflow pushes to."""
    if shutil.which("jobsync") is None:
        pytest.fail("the jobsync command is not on PATH; `pip install -e .`")
    # written as export writes it (schema line relative to the repo's schemas/): export keeps
    # a file that already says what the workspace holds, so the fixture must not rely on it
    for path, data in render_files(
        scenario.folder, ObjectKey(Kind.JOB, "daily"), job_body("daily"), schema_dir=scenario.root / "schemas"
    ).items():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
    scenario.commit("daily")
    assert scenario.run("apply", "-w", "dev", "--auto-approve").exit_code == 0
    # export once on main, so the files are as export writes them (the schema line differs)
    assert scenario.run("export", "-w", "dev").exit_code == 0
    origin = tmp_path / "origin.git"
    git(tmp_path, "clone", "-q", "--bare", str(scenario.root), str(origin))
    git(scenario.root, "remote", "add", "origin", str(origin))
    return scenario


def console_edit(scenario, name: str, user: str, **fields) -> None:
    document = scenario.document()
    entry = next((j for j in document["jobs"] if j["definition"]["name"] == name), None)
    if entry is None:
        entry = {"definition": job_body(name), "status": "STOPPED", "tags": [], "versions": []}
        document["jobs"].append(entry)
    entry["definition"].update(fields)
    entry["lastUpdateUser"] = user
    scenario.seed(document)


def test_a_console_edit_becomes_one_drift_pull_request_updated_by_the_next_check(
    synced_repo_with_a_remote,
    fake_github,
    tmp_path,
):
    scenario = synced_repo_with_a_remote
    console_edit(scenario, "daily", "alice", description="fixed at 2 a.m.")

    first = run_drift_workflow(scenario, fake_github, tmp_path)

    assert first["drifted"] == "true"
    [pull] = fake_github.pulls
    assert pull["title"] == "Drift in dev: job daily"
    assert pull["head"]["ref"] == BRANCH and pull["base"]["ref"] == "main"
    assert "Changed in the console by: alice." in pull["body"]
    author = git(scenario.root, "log", "-1", "--format=%an", f"origin/{BRANCH}").strip()
    assert author == "alice"
    pushed = git(scenario.root, "show", f"origin/{BRANCH}:workspaces/dev/jobs/daily.yaml")
    assert "fixed at 2 a.m." in pushed

    console_edit(scenario, "hotfix", "bob")
    second = run_drift_workflow(scenario, fake_github, tmp_path)

    assert second["drifted"] == "true"
    assert len(fake_github.pulls) == 1, "the next check updates the open pull request"
    assert fake_github.pulls[0]["title"] == "Drift in dev: job daily, job hotfix"
    assert "alice, bob" in fake_github.pulls[0]["body"]
    assert git(scenario.root, "log", "-1", "--format=%an", f"origin/{BRANCH}").strip() != "alice"


def test_no_drift_pushes_nothing_and_opens_nothing(synced_repo_with_a_remote, fake_github, tmp_path):
    outputs = run_drift_workflow(synced_repo_with_a_remote, fake_github, tmp_path)

    assert outputs["drifted"] == "false"
    assert fake_github.pulls == []
    branches = git(synced_repo_with_a_remote.root, "ls-remote", "--heads", "origin")
    assert BRANCH not in branches


def test_the_title_names_objects_and_stays_short():
    names = [f"job very_long_job_name_{n:03}" for n in range(40)]

    title = drift.title("prod", names)

    assert title.startswith("Drift in prod: job very_long_job_name_000, ")
    assert title.endswith(" more)") and len(title) <= drift.TITLE_LIMIT + 20
    assert drift.title("dev", ["job a"]) == "Drift in dev: job a"
    assert drift.console_users("x\n\nChanged-by: bob\nChanged-by: alice\n") == ["alice", "bob"]
