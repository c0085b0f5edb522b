"""Bad input gets one clear error naming the file and line or field, and changes nothing."""

from __future__ import annotations

import json

import pytest
from support import git, job_body

from jobsync.core.model import Kind


@pytest.fixture
def repo(local):
    local.put(Kind.JOB, job_body("etl"))
    local.commit()
    local.before = local.state_path.read_text()
    return local


def unchanged(scenario):
    return scenario.state_path.read_text() == scenario.before and git(scenario.root, "status", "--porcelain") == ""


@pytest.mark.parametrize("command", ["plan", "apply", "validate"])
def test_malformed_yaml_names_the_file_and_line(repo, command):
    (repo.folder / "jobs" / "etl.yaml").write_text("name: etl\nnodes: [\n  - broken\nschedule: {}\n")
    repo.commit()

    result = repo.run(command, "-w", "dev", "--auto-approve") if command == "apply" else repo.run(command, "-w", "dev")

    assert result.exit_code == 1
    assert "workspaces/dev/jobs/etl.yaml:" in result.stderr
    assert "not valid YAML" in result.stderr
    assert unchanged(repo)


def test_schema_violations_are_all_reported_with_field_and_line(repo):
    (repo.folder / "jobs" / "etl.yaml").write_text(
        "name: etl\nschedule: {}\nnodes:\n- name: a\n  type: Dummy\n  retryTimes: 9\n"
    )
    repo.put(Kind.JOB, {**job_body("other"), "processType": "SOMETIMES"})
    repo.commit()

    result = repo.run("validate", "-w", "dev")

    assert result.exit_code == 1
    assert "2 problems found" in result.stderr
    assert "workspaces/dev/jobs/etl.yaml:6: nodes[0].retryTimes: 9 is greater than the maximum of 5" in result.stderr
    assert "workspaces/dev/jobs/other.yaml:" in result.stderr and "processType" in result.stderr


def test_a_file_whose_name_differs_from_the_job_name_is_refused(repo):
    (repo.folder / "jobs" / "etl.yaml").rename(repo.folder / "jobs" / "renamed.yaml")
    repo.commit()

    result = repo.run("plan", "-w", "dev")

    assert result.exit_code == 1
    assert "renamed.yaml:2: name: name 'etl' must match the file name 'renamed'" in result.stderr


def test_a_script_without_its_content_file_is_refused(repo):
    repo.put(Kind.SCRIPT, {"name": "load", "type": "DLISQL", "content": "select 1"})
    (repo.folder / "scripts" / "load.sql").unlink()

    result = repo.run("validate", "-w", "dev")

    assert result.exit_code == 1
    assert "workspaces/dev/scripts/load.yaml" in result.stderr and "content file" in result.stderr


def test_unknown_workspace_lists_the_known_ones(repo):
    result = repo.run("plan", "-w", "staging")

    assert result.exit_code == 2  # a usage error (README: usage errors exit 2)
    assert "unknown workspace 'staging'" in result.stderr and "workspaces: dev" in result.stderr


def test_corrupt_state_document_names_the_file_and_line(repo):
    repo.state_path.write_text('{\n  "jobs": [\n    {"definition": \n')
    repo.before = repo.state_path.read_text()

    result = repo.run("apply", "-w", "dev", "--auto-approve")

    assert result.exit_code == 1
    assert f"{repo.state_path}:4" in result.stderr and "not valid JSON" in result.stderr
    assert unchanged(repo)


def test_workspace_yaml_with_a_bad_policy_names_the_field(repo):
    text = (repo.folder / "workspace.yaml").read_text().replace("lock: soft", "lock: sometimes")
    (repo.folder / "workspace.yaml").write_text(text)
    repo.commit()

    result = repo.run("plan", "-w", "dev")

    assert result.exit_code == 1
    assert "workspaces/dev/workspace.yaml:" in result.stderr and "policies.lock" in result.stderr


def _saved_plan(scenario, folder, **changes):
    path = folder / "plan.json"
    scenario.run("plan", "-w", "dev", "--out", str(path))
    document = json.loads(path.read_text())
    document.update(changes)
    path.write_text(json.dumps(document))
    return path


def test_plan_file_from_another_workspace_is_refused(repo, tmp_path_factory):
    path = _saved_plan(repo, tmp_path_factory.mktemp("plans"), workspace="prod")

    result = repo.run("apply", "-w", "dev", str(path))

    assert result.exit_code == 1
    assert "this plan is for workspace 'prod', not 'dev'" in result.stderr
    assert unchanged(repo)


def test_plan_file_from_a_newer_format_is_refused(repo, tmp_path_factory):
    path = _saved_plan(repo, tmp_path_factory.mktemp("plans"), format_version="2.0")

    result = repo.run("apply", "-w", "dev", str(path))

    assert result.exit_code == 1
    assert "format_version '2.0' is not supported" in result.stderr
    assert unchanged(repo)


def test_a_file_that_is_not_a_plan_is_refused(repo, tmp_path):
    path = tmp_path / "plan.json"
    path.write_text("not json")

    result = repo.run("apply", "-w", "dev", str(path))

    assert result.exit_code == 1
    assert f"{path}:1: not a jobsync plan file" in result.stderr


def test_dependjobs_cycle_is_reported(repo):
    repo.put(Kind.JOB, job_body("a", depends=["b"]))
    repo.put(Kind.JOB, job_body("b", depends=["a"]))

    result = repo.run("validate", "-w", "dev")

    assert result.exit_code == 1
    assert "dependJobs form a cycle: a -> b -> a" in result.stderr


def test_outside_a_git_repository_the_error_says_what_to_do(tmp_path):
    from typer.testing import CliRunner

    from jobsync.cli.app import app

    result = CliRunner().invoke(app, ["plan", "--repo", str(tmp_path)])

    assert result.exit_code == 1
    assert "not inside a git repository" in result.stderr and "jobsync init" in result.stderr
