"""Plan and apply on real git repos: saved plans, stale-plan refusal, exit codes, backups."""

from __future__ import annotations

import json

from support import job_body, remote_job

from jobsync.core.model import Kind


def test_apply_of_a_saved_plan_changes_exactly_what_it_showed(scenario, tmp_path):
    scenario.put(Kind.JOB, job_body("etl"))
    scenario.commit()
    planfile = tmp_path / "plan.json"

    plan = scenario.run("plan", "-w", "dev", "--out", str(planfile))
    apply = scenario.run("apply", "-w", "dev", str(planfile))

    assert plan.exit_code == 0
    assert json.loads(planfile.read_text())["summary"]["create"] == 1
    assert apply.exit_code == 0, apply.stderr
    assert scenario.entry("jobs", "etl") is not None


def test_apply_refuses_a_plan_when_the_workspace_changed_since(scenario, tmp_path):
    document = scenario.document()
    document["jobs"].append(remote_job(job_body("etl")))
    scenario.seed(document)
    scenario.put(Kind.JOB, job_body("etl", description="repo"))
    scenario.commit()
    planfile = tmp_path / "plan.json"
    scenario.run("plan", "-w", "dev", "--out", str(planfile))
    document = scenario.document()
    document["jobs"][0]["definition"]["description"] = "edited in the console"
    document["jobs"][0]["lastUpdateTime"] = (document["jobs"][0].get("lastUpdateTime") or 0) + 1  # as a save does
    scenario.seed(document)

    apply = scenario.run("apply", "-w", "dev", str(planfile))

    assert apply.exit_code == 1
    assert "stale" in apply.stderr and "job etl" in apply.stderr
    assert scenario.entry("jobs", "etl")["definition"]["description"] == "edited in the console"


def test_apply_refuses_a_plan_when_the_repo_changed_since(scenario, tmp_path):
    scenario.put(Kind.JOB, job_body("etl"))
    scenario.commit()
    planfile = tmp_path / "plan.json"
    scenario.run("plan", "-w", "dev", "--out", str(planfile))
    scenario.put(Kind.JOB, job_body("other"))
    scenario.commit()

    apply = scenario.run("apply", "-w", "dev", str(planfile))

    assert apply.exit_code == 1
    assert "job other" in apply.stderr
    assert scenario.document()["jobs"] == []


def test_detailed_exitcode_is_two_with_changes_and_zero_without(scenario):
    scenario.put(Kind.JOB, job_body("etl"))
    scenario.commit()

    before = scenario.run("plan", "-w", "dev", "--detailed-exitcode")
    scenario.run("apply", "-w", "dev", "--auto-approve")
    after = scenario.run("plan", "-w", "dev", "--detailed-exitcode")

    assert before.exit_code == 2
    assert after.exit_code == 0
    assert "No changes" in after.stdout


def test_apply_saves_what_it_overwrites_and_deletes(scenario):
    document = scenario.document()
    document["jobs"] += [remote_job(job_body("etl", description="old")), remote_job(job_body("gone"))]
    scenario.seed(document)
    scenario.configure(prune=True)
    scenario.put(Kind.JOB, job_body("etl", description="new"))
    scenario.commit()

    apply = scenario.run("apply", "-w", "dev", "--auto-approve")

    assert apply.exit_code == 0, apply.stderr
    backups = list((scenario.root / ".jobsync" / "backups" / "dev").iterdir())
    assert len(backups) == 1
    assert "description: old" in (backups[0] / "jobs" / "etl.yaml").read_text()
    assert (backups[0] / "jobs" / "gone.yaml").exists()
    assert str(backups[0]) in apply.stderr


def test_apply_without_a_terminal_asks_for_auto_approve_and_changes_nothing(scenario):
    scenario.put(Kind.JOB, job_body("etl"))
    scenario.commit()

    apply = scenario.run("apply", "-w", "dev")

    assert apply.exit_code == 1
    assert "--auto-approve" in apply.stderr
    assert scenario.document()["jobs"] == []


def test_job_option_plans_only_that_job_and_the_script_it_runs(scenario):
    scenario.put(Kind.SCRIPT, {"name": "load", "type": "DLISQL", "queueName": "default", "content": "select 1"})
    scenario.put(
        Kind.JOB,
        job_body(
            "etl", nodes=[{"name": "n", "type": "DLISQL", "properties": [{"name": "scriptName", "value": "load"}]}]
        ),
    )
    scenario.put(Kind.JOB, job_body("other"))
    scenario.commit()

    plan = scenario.run("plan", "-w", "dev", "--job", "etl", "--format", "json")
    apply = scenario.run("apply", "-w", "dev", "--job", "etl", "--auto-approve")

    assert sorted(c["name"] for c in plan.json()["changes"]) == ["etl", "load"]
    assert apply.exit_code == 0
    assert [j["definition"]["name"] for j in scenario.document()["jobs"]] == ["etl"]


def test_a_failed_object_stops_only_what_depends_on_it(local):
    document = local.document()
    document["jobs"].append(remote_job(job_body("busy"), status="SCHEDULING"))
    local.seed(document)
    local.put(Kind.JOB, job_body("busy", description="change"))
    local.put(Kind.JOB, job_body("free"))
    local.commit()

    apply = local.run("apply", "-w", "dev", "--auto-approve")

    assert apply.exit_code == 1
    assert "1 applied" in apply.stdout and "1 blocked" in apply.stdout
    assert local.entry("jobs", "free") is not None


def test_a_saved_plan_limited_by_changed_since_applies_only_its_objects(local, tmp_path_factory):
    local.put(Kind.JOB, job_body("old"))
    base = local.commit("base")
    local.put(Kind.JOB, job_body("new"))
    local.commit("change")
    planfile = tmp_path_factory.mktemp("plans") / "plan.json"

    plan = local.run("plan", "-w", "dev", "--changed-since", base, "--out", str(planfile))
    apply = local.run("apply", "-w", "dev", str(planfile))

    assert json.loads(planfile.read_text())["selection"] == ["job new"]
    assert plan.exit_code == 0 and apply.exit_code == 0, apply.stderr
    assert [j["definition"]["name"] for j in local.document()["jobs"]] == ["new"]
