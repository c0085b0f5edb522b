"""`apply --reviewed PLANFILE`: apply only what the reviewed plan showed, or nothing."""

from __future__ import annotations

import json

from support import job_body, remote_job

from jobsync.core.model import Kind


def _reviewed_update(scenario, tmp_path):
    """The workspace holds etl; the repo changes its description; the plan is saved."""
    document = scenario.document()
    document["jobs"].append(remote_job(job_body("etl")))
    scenario.seed(document)
    scenario.put(Kind.JOB, job_body("etl", description="from the repo"))
    scenario.put(Kind.JOB, job_body("load"))
    scenario.commit()
    planfile = tmp_path / "plan.json"
    assert scenario.run("plan", "-w", "dev", "--out", str(planfile)).exit_code == 0
    return planfile


def test_a_plan_that_is_still_the_reviewed_one_is_applied(scenario, tmp_path):
    planfile = _reviewed_update(scenario, tmp_path)

    apply = scenario.run("apply", "-w", "dev", "--reviewed", str(planfile))

    assert apply.exit_code == 0, apply.stderr
    assert "the plan is the reviewed one" in apply.stderr
    assert scenario.entry("jobs", "etl")["definition"]["description"] == "from the repo"
    assert scenario.entry("jobs", "load") is not None


def test_a_console_edit_since_the_review_is_named_with_its_user_and_nothing_is_applied(scenario, tmp_path):
    planfile = _reviewed_update(scenario, tmp_path)
    document = scenario.document()
    entry = next(e for e in document["jobs"] if e["definition"]["name"] == "etl")
    entry["definition"]["description"] = "edited in the console"
    entry["lastUpdateUser"] = "alice"
    entry["lastUpdateTime"] = int(entry.get("lastUpdateTime") or 0) + 600_000
    scenario.seed(document)

    apply = scenario.run("apply", "-w", "dev", "--reviewed", str(planfile))

    assert apply.exit_code == 1
    assert "job etl changed in the workspace since the plan was reviewed (lastUpdateUser alice)" in apply.stderr
    assert "job load" not in apply.stderr  # unchanged since the review
    assert "nothing was applied" in apply.stderr
    assert scenario.entry("jobs", "etl")["definition"]["description"] == "edited in the console"
    assert scenario.entry("jobs", "load") is None, "apply nothing, not even the unchanged part"


def test_a_repo_change_and_a_new_object_since_the_review_are_each_named(scenario, tmp_path):
    planfile = _reviewed_update(scenario, tmp_path)
    scenario.put(Kind.JOB, job_body("etl", description="changed again"))
    scenario.put(Kind.JOB, job_body("extra"))
    scenario.commit()

    apply = scenario.run("apply", "-w", "dev", "--reviewed", str(planfile))

    assert apply.exit_code == 1
    assert "job etl changed in the repo since the plan was reviewed" in apply.stderr
    assert "job extra changed since the plan was reviewed" in apply.stderr
    assert "the reviewed plan would leave it as it is, a plan now would create it" in apply.stderr
    assert scenario.entry("jobs", "extra") is None


def test_reviewed_needs_a_plan_file(scenario):
    apply = scenario.run("apply", "-w", "dev", "--reviewed")

    assert apply.exit_code == 1
    assert "--reviewed needs the reviewed plan file" in apply.stderr


def test_differences_compare_action_and_both_fingerprints():
    from jobsync.ops.planfile import differences

    change = {"kind": "job", "name": "a", "action": "update", "before_fingerprint": "b1", "after_fingerprint": "a1"}
    reviewed = {"changes": [change]}

    assert differences(reviewed, json.loads(json.dumps(reviewed))) == []
    blocked = {**change, "action": "blocked", "reason": "locked by bob"}
    assert differences(reviewed, {"changes": [blocked]}) == [
        "job a: the reviewed plan would update it, a plan now would block it (locked by bob)"
    ]
    both = {**change, "before_fingerprint": "b2", "after_fingerprint": "a2"}
    assert differences(reviewed, {"changes": [both]}) == [
        "job a changed in the workspace since the plan was reviewed; changed in the repo since the plan was reviewed"
    ]
