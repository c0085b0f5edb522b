"""Export never writes a file validate would refuse, and keeps null and missing values as they are."""

from __future__ import annotations

from support import git, job_body, remote_job


def seeded(scenario, *jobs, scripts=()):
    document = scenario.document()
    document["jobs"] += [remote_job(body) for body in jobs]
    document["scripts"] += [{"definition": body, "lockedBy": None} for body in scripts]
    scenario.seed(document)


def no_changes(scenario):
    result = scenario.run("plan", "-w", "dev", "-f", "json")
    assert result.exit_code == 0, result.stderr
    return all(c["action"] == "noop" for c in result.json()["changes"])


def test_what_the_service_returns_exports_to_files_validate_accepts(scenario):
    scenario.commit("init")
    node = {
        "name": "run",
        "type": "Dummy",
        "conditions": None,
        "pollingInterval": "10",
        "properties": [{"name": "retries", "value": 3}, {"name": "flag", "value": True}],
    }
    seeded(scenario, job_body("etl", description=None, nodes=[node]))

    export = scenario.run("export", "-w", "dev")
    validate = scenario.run("validate", "-w", "dev")

    assert export.exit_code == 0, export.stderr
    assert validate.exit_code == 0, validate.stderr
    assert no_changes(scenario)


def test_a_script_without_content_is_not_given_an_empty_one(scenario):
    scenario.commit("init")
    seeded(
        scenario,
        scripts=[
            {"name": "nulled", "type": "DLISQL", "content": None},
            {"name": "missing", "type": "DLISQL"},
            {"name": "blank", "type": "DLISQL", "content": ""},
        ],
    )

    export = scenario.run("export", "-w", "dev")

    assert export.exit_code == 0, export.stderr
    scripts = scenario.folder / "scripts"
    assert "content: null" in (scripts / "nulled.yaml").read_text()
    assert not (scripts / "nulled.sql").exists() and not (scripts / "missing.sql").exists()
    assert (scripts / "blank.sql").read_text() == ""
    assert scenario.run("validate", "-w", "dev").exit_code == 0
    assert no_changes(scenario)


def test_a_name_with_a_slash_is_refused_before_anything_is_written(local):
    local.commit("init")
    seeded(local, job_body("ok"), job_body("a/b"))

    export = local.run("export", "-w", "dev")

    assert export.exit_code == 1
    assert "job a/b" in export.stderr and "rename" in export.stderr
    assert not (local.folder / "jobs").exists()
    assert git(local.root, "status", "--porcelain") == ""


def test_names_that_differ_only_in_case_are_refused_before_anything_is_written(local):
    local.commit("init")
    seeded(local, job_body("Daily_Sales"), job_body("daily_sales"), job_body("other"))

    export = local.run("export", "-w", "dev")

    assert export.exit_code == 1
    assert "job Daily_Sales" in export.stderr and "job daily_sales" in export.stderr
    assert not (local.folder / "jobs").exists()
