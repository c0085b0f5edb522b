"""Validation beyond the schema: misspelt keys, cron expressions, a plain value cut by a YAML
comment, and a script's type change blocked by the plan on both backends."""

from __future__ import annotations

from typing import Any

import pytest
from support import Scenario, environment, job_body, remote_job

from jobsync.core.model import Kind


def seeded(scenario: Scenario, *jobs: dict[str, Any], scripts: list[dict[str, Any]] | None = None) -> None:
    document = environment(jobs=[remote_job(body) for body in jobs])
    if scripts is not None:
        document["scripts"] = [{"definition": body} for body in scripts]
    scenario.seed(document)


def remote_body(scenario: Scenario, name: str, kind: str = "jobs") -> dict[str, Any]:
    entry = scenario.entry(kind, name)
    assert entry is not None, name
    return entry["definition"]


SPELT = (
    "name: spelled\n"
    "processType: BATCH\n"
    "schedule:\n"
    "  type: CRON\n"
    "nodes:\n"
    "- name: a\n"
    "  type: Dummy\n"
    "  pollingInterval: 10\n"
)


@pytest.mark.parametrize(
    ("misspelt", "meant", "line", "exit_code"),
    [("schedul", "schedule", 3, 1), ("pollingIntervall", "pollingInterval", 8, 0)],
)
def test_a_misspelt_key_is_reported_with_the_closest_known_key(local, misspelt, meant, line, exit_code):
    (local.folder / "jobs").mkdir(parents=True)
    (local.folder / "jobs" / "spelled.yaml").write_text(SPELT.replace(f"{meant}:", f"{misspelt}:", 1))

    result = local.run("validate", "-w", "dev")

    assert result.exit_code == exit_code
    assert f"workspaces/dev/jobs/spelled.yaml:{line}: " in result.stderr
    assert f"unknown key {misspelt!r}; did you mean {meant!r}?" in result.stderr


def test_an_invalid_cron_expression_fails_validate_naming_the_field(local):
    local.put(Kind.JOB, job_body("cron"))
    path = local.folder / "jobs" / "cron.yaml"
    path.write_text(path.read_text().replace("0 0 2 * * ?", "0 0 25 * * ?"))

    result = local.run("validate", "-w", "dev")

    assert result.exit_code == 1
    assert "schedule.cron.expression" in result.stderr
    assert "field 3 (hour) '25' is out of range 0-23" in result.stderr


def test_a_script_type_change_is_blocked_on_both_backends(scenario):
    script = {"name": "typed_script", "type": "Shell", "connectionName": "dws_conn", "content": "echo 1\n"}
    seeded(scenario, scripts=[script])
    scenario.put(Kind.SCRIPT, {**script, "type": "DLISQL", "content": "select 1\n"})
    scenario.commit()

    plan = scenario.run("plan", "-w", "dev", "--format", "json")
    applied = scenario.run("apply", "-w", "dev", "--auto-approve")

    assert plan.json()["summary"]["blocked"] == 1
    assert "DLF.0203" in plan.stdout
    assert applied.exit_code != 0 or "blocked" in applied.stdout
    assert remote_body(scenario, "typed_script", "scripts")["type"] == "Shell"


def test_a_value_cut_by_a_yaml_comment_is_warned_about(local):
    local.put(
        Kind.JOB, job_body("cut", nodes=[{"name": "n", "type": "Dummy", "properties": [{"name": "a", "value": "x"}]}])
    )
    path = local.folder / "jobs" / "cut.yaml"
    text = path.read_text().replace("a: x", 'a: --out #{Env.get("out")}')
    path.write_text(text)
    line = next(number for number, found in enumerate(text.splitlines(), 1) if "#{Env" in found)

    result = local.run("validate", "-w", "dev")

    assert f"workspaces/dev/jobs/cut.yaml:{line}: YAML reads ' #' as the start of a comment" in result.stderr
