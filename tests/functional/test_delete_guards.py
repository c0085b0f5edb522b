"""Losing a workspace by accident: mass deletes need a confirmation, and files jobsync would
not read are errors instead of silent deletes."""

from __future__ import annotations

import shutil

import pytest
from support import job_body, remote_job

from jobsync.core.model import Kind

NAMES = [f"job{index:02d}" for index in range(12)]


def _deployed(scenario, **policies):
    """12 jobs and a script in the repo and in the workspace, prune on."""
    document = scenario.document()
    document["jobs"] += [remote_job(job_body(name)) for name in NAMES]
    script = {"name": "load", "type": "DLISQL", "content": "select 1", "queueName": "default"}
    document["scripts"].append({"definition": script})
    scenario.seed(document)
    scenario.configure(prune=True, **policies)
    for name in NAMES:
        scenario.put(Kind.JOB, job_body(name))
    scenario.put(Kind.SCRIPT, script)
    scenario.commit()


def _names(scenario, kind="jobs"):
    return sorted(e["definition"]["name"] for e in scenario.document()[kind])


def test_removing_the_job_and_script_folders_deletes_nothing_without_a_confirmation(scenario):
    _deployed(scenario)
    shutil.rmtree(scenario.folder / "jobs")
    shutil.rmtree(scenario.folder / "scripts")
    scenario.commit("oops")

    plan = scenario.run("plan", "-w", "dev")
    apply = scenario.run("apply", "-w", "dev", "--auto-approve")

    assert plan.exit_code == 1
    assert "deletes all 12 job(s), all 1 script(s)" in plan.stdout
    assert "--allow-mass-delete" in plan.stdout
    assert apply.exit_code == 1
    assert _names(scenario) == NAMES
    assert _names(scenario, "scripts") == ["load"]


def test_allow_mass_delete_confirms_it(scenario):
    _deployed(scenario)
    shutil.rmtree(scenario.folder / "jobs")
    scenario.commit("retire every job")

    apply = scenario.run("apply", "-w", "dev", "--auto-approve", "--allow-mass-delete")

    assert apply.exit_code == 0, apply.stderr
    assert _names(scenario) == []


def test_more_deletes_than_max_deletes_are_blocked_and_the_policy_raises_the_limit(scenario):
    _deployed(scenario)
    for name in NAMES[1:]:
        (scenario.folder / "jobs" / f"{name}.yaml").unlink()
    scenario.commit("drop 11")

    blocked = scenario.run("apply", "-w", "dev", "--auto-approve")
    kept = _names(scenario)
    scenario.configure(prune=True, max_deletes=11)
    scenario.commit("allow 11")
    allowed = scenario.run("apply", "-w", "dev", "--auto-approve")

    assert blocked.exit_code == 1
    assert "deletes 11 objects, more than policies.max_deletes (10)" in blocked.stdout
    assert kept == NAMES
    assert allowed.exit_code == 0, allowed.stderr
    assert _names(scenario) == NAMES[:1]


def test_a_saved_plan_made_with_allow_mass_delete_applies(scenario, tmp_path):
    _deployed(scenario)
    shutil.rmtree(scenario.folder / "jobs")
    scenario.commit("retire every job")
    planfile = tmp_path / "plan.json"

    scenario.run("plan", "-w", "dev", "--allow-mass-delete", "--out", str(planfile))
    apply = scenario.run("apply", "-w", "dev", str(planfile))

    assert apply.exit_code == 0, apply.stderr
    assert _names(scenario) == []


@pytest.mark.parametrize(
    ("move", "says"),
    [
        (("jobs", "Jobs"), "workspaces/dev/Jobs/: unknown folder"),
        (("jobs", "job"), "workspaces/dev/job/: unknown folder"),
        (("jobs/job00.yaml", "jobs/job00.yml"), "workspaces/dev/jobs/job00.yml: jobsync reads only .yaml files"),
    ],
)
def test_files_jobsync_would_not_read_are_validation_errors(local, move, says):
    _deployed(local)
    (local.folder / move[0]).rename(local.folder / move[1])
    local.commit("renamed")

    validate = local.run("validate")
    apply = local.run("apply", "-w", "dev", "--auto-approve", "--allow-mass-delete")

    assert validate.exit_code == 1
    assert says in validate.stderr
    assert apply.exit_code == 1
    assert _names(local) == NAMES


def test_a_workspace_folder_without_workspace_yaml_is_a_validation_error(local):
    local.put(Kind.JOB, job_body("etl"), folder=local.root / "workspaces" / "prod")
    local.commit()

    result = local.run("validate")

    assert result.exit_code == 1
    assert "workspaces/prod/: no workspace.yaml" in result.stderr
