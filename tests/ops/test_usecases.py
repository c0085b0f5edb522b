"""Each use case exists once: the CLI and the programmatic API run the same ops function, so on
the same saved plan they make the same changes, report the same outcome and refuse the same
stale plan."""

from __future__ import annotations

import copy
import json
from typing import Any

import pytest
from support import environment, job_body, remote_job

import jobsync
from jobsync.core.model import Kind
from jobsync.errors import StalePlanError
from jobsync.ops import usecases
from jobsync.ops.apply import result_to_document

CHINESE = "日报_销售"


def seeded(scenario) -> dict[str, Any]:
    """A workspace with one job to update and one to delete; the repo adds a Chinese-named job."""
    document = environment(
        jobs=[remote_job(job_body("etl")), remote_job(job_body("old_report"))],
    )
    scenario.seed(document)
    scenario.configure(prune=True)
    scenario.put(Kind.JOB, job_body("etl", description="changed in the repo"))
    scenario.put(Kind.JOB, job_body(CHINESE, description="每日销售"))
    scenario.commit()
    return document


def definitions(scenario) -> dict[str, dict[str, Any]]:
    return {entry["definition"]["name"]: entry["definition"] for entry in scenario.document()["jobs"]}


def outcome(document: dict[str, Any]) -> dict[str, Any]:
    return {key: value for key, value in document.items() if key != "backup"}  # the backup folder has a time stamp


@pytest.fixture
def calls(monkeypatch) -> list[dict[str, Any]]:
    """Every call of the one apply use case, whoever made it."""
    seen: list[dict[str, Any]] = []
    real = usecases.apply

    def spy(config, **options):
        seen.append(options)
        return real(config, **options)

    monkeypatch.setattr(usecases, "apply", spy)
    return seen


def test_cli_and_api_apply_one_saved_plan_alike(scenario, calls, tmp_path, monkeypatch):
    before = seeded(scenario)
    for name, value in scenario.env.items():  # the emulator's credentials, as the CLI gets them
        monkeypatch.setenv(name, value)
    saved = tmp_path / "plan.json"
    assert scenario.run("plan", "-w", "dev", "--out", str(saved), "--allow-mass-delete").exit_code == 0

    by_cli = scenario.run("apply", "-w", "dev", str(saved), "-f", "json")
    assert by_cli.exit_code == 0, by_cli.stderr
    cli_after = definitions(scenario)

    scenario.seed(copy.deepcopy(before))
    result = jobsync.apply_plan(jobsync.load_workspace(scenario.root, "dev"), saved)
    api_after = definitions(scenario)

    assert outcome(json.loads(by_cli.stdout)) == outcome(result_to_document(result))
    assert cli_after == api_after
    assert set(api_after) == {"etl", CHINESE}
    assert [options["saved"] for options in calls] == [saved, saved]


def test_apply_json_keeps_chinese_names_readable(local, tmp_path):
    seeded(local)
    result = local.run("apply", "-w", "dev", "--auto-approve", "--allow-mass-delete", "-f", "json")
    assert result.exit_code == 0, result.stderr
    assert f'"name": "{CHINESE}"' in result.stdout
    assert "\\u" not in result.stdout


def test_cli_and_api_refuse_one_stale_saved_plan_alike(local, tmp_path):
    seeded(local)
    saved = tmp_path / "plan.json"
    assert local.run("plan", "-w", "dev", "--out", str(saved), "--allow-mass-delete").exit_code == 0
    local.put(Kind.JOB, job_body("etl", description="changed again after the plan"))
    local.commit()

    by_cli = local.run("apply", "-w", "dev", str(saved))
    with pytest.raises(StalePlanError) as by_api:
        jobsync.apply_plan(jobsync.load_workspace(local.root, "dev"), saved)

    assert by_cli.exit_code == 1
    assert str(by_api.value) in by_cli.stderr
    assert "job etl" in str(by_api.value)
    assert set(definitions(local)) == {"etl", "old_report"}


def test_a_plan_in_memory_and_its_saved_file_confirm_deletes_alike(local, tmp_path):
    """Both answer "were deletes confirmed?" from the saved form: a plan that deletes (made
    with --allow-mass-delete) applies its deletes whether it is handed over as a Plan or a file."""
    seeded(local)
    config = jobsync.load_workspace(local.root, "dev")
    plan = jobsync.make_plan(config, allow_mass_delete=True)
    assert [c.key.name for c in plan.pending() if c.action is jobsync.Action.DELETE] == ["old_report"]

    result = jobsync.apply_plan(config, plan)

    assert result.ok, result.failed
    assert sorted(c.key.name for c, _ in result.applied) == ["etl", "old_report", CHINESE]


def test_plan_by_cli_and_api_is_one_plan(local):
    seeded(local)
    shown = local.run("plan", "-w", "dev", "-f", "json", "--allow-mass-delete")
    made = jobsync.make_plan(jobsync.load_workspace(local.root, "dev"), allow_mass_delete=True)

    document = json.loads(shown.stdout)
    assert [(c["kind"], c["name"], c["action"]) for c in document["changes"]] == [
        (c.key.kind.value, c.key.name, c.action.value) for c in made.changes
    ]


def test_reviewed_needs_the_plan_file(local):
    seeded(local)
    with pytest.raises(jobsync.JobsyncError, match="--reviewed needs the reviewed plan file"):
        usecases.apply(jobsync.load_workspace(local.root, "dev"), reviewed=True)
