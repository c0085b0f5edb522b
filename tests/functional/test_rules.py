"""Each import rule, driven through the CLI on a real git repo, checked in the workspace after.

Every test runs on the local workspace and on the dataarts backend against the emulator.
"""

from __future__ import annotations

import pytest
from support import job_body, remote_job, sql_node

from jobsync.core.model import Kind


def versions(scenario, name):
    entry = scenario.entry("jobs", name)
    return len(entry["versions"]) if entry else 0


def changed_job(name="etl", **extra):
    return job_body(name, description="new", **extra)


def seed_job(scenario, body, **state):
    document = scenario.document()
    document["jobs"].append(remote_job(body, **state))
    scenario.seed(document)


def test_running_job_blocks_apply_when_policy_is_fail(scenario):
    seed_job(scenario, job_body("etl"), status="SCHEDULING")
    scenario.put(Kind.JOB, changed_job())
    scenario.commit()

    plan = scenario.run("plan", "-w", "dev")
    apply = scenario.run("apply", "-w", "dev", "--auto-approve")

    assert plan.exit_code == 1
    assert "job is scheduling" in plan.stdout
    assert apply.exit_code == 1
    entry = scenario.entry("jobs", "etl")
    assert entry["definition"].get("description") is None
    assert entry["status"] == "SCHEDULING"
    assert len(entry["versions"]) == 1


def test_running_job_is_stopped_applied_and_restarted_with_stop_and_restart(scenario):
    seed_job(scenario, job_body("etl"), status="SCHEDULING")
    scenario.configure(running_jobs="stop-and-restart")
    scenario.put(Kind.JOB, changed_job())
    scenario.commit()

    plan = scenario.run("plan", "-w", "dev")
    apply = scenario.run("apply", "-w", "dev", "--auto-approve")

    assert plan.exit_code == 0
    assert "apply stops it" in plan.stdout
    assert apply.exit_code == 0, apply.stderr
    entry = scenario.entry("jobs", "etl")
    assert entry["definition"]["description"] == "new"
    assert entry["status"] == "SCHEDULING"
    assert len(entry["versions"]) == 2


def test_hard_lock_held_by_another_user_leaves_the_job_untouched(scenario):
    document = scenario.document()
    document["lock_policy"] = "hard"
    document["jobs"].append(remote_job(job_body("etl"), locked_by="alice"))
    scenario.seed(document)
    scenario.configure(lock="hard")
    scenario.put(Kind.JOB, changed_job())
    scenario.commit()

    apply = scenario.run("apply", "-w", "dev", "--auto-approve")

    assert apply.exit_code == 1
    assert "alice" in apply.stdout + apply.stderr
    entry = scenario.entry("jobs", "etl")
    assert entry["lockedBy"] == "alice"
    assert entry["definition"].get("description") is None
    assert len(entry["versions"]) == 1


def test_admin_overwrites_a_job_held_under_a_hard_lock(scenario):
    document = scenario.document()
    document["lock_policy"] = "hard"
    document["jobs"].append(remote_job(job_body("etl"), locked_by="alice"))
    scenario.seed(document)
    scenario.configure(lock="hard", user="admin")
    if scenario.backend == "emulator":
        ak, sk = scenario.emulator.credential("admin")
        scenario.env.update(HUAWEICLOUD_SDK_AK=ak, HUAWEICLOUD_SDK_SK=sk)
    scenario.put(Kind.JOB, changed_job())
    scenario.commit()

    apply = scenario.run("apply", "-w", "dev", "--auto-approve")

    assert apply.exit_code == 0, apply.stderr
    entry = scenario.entry("jobs", "etl")
    assert entry["lockedBy"] == "admin"
    assert entry["definition"]["description"] == "new"


def test_soft_lock_is_taken_over_by_the_acting_user(scenario):
    seed_job(scenario, job_body("etl"), locked_by="alice")
    scenario.put(Kind.JOB, changed_job())
    scenario.commit()

    apply = scenario.run("apply", "-w", "dev", "--auto-approve")

    assert apply.exit_code == 0, apply.stderr
    entry = scenario.entry("jobs", "etl")
    assert entry["lockedBy"] == "jobsync"
    assert entry["definition"]["description"] == "new"


def test_locked_tag_blocks_the_job(scenario):
    seed_job(scenario, job_body("etl"), tags=["frozen"])
    scenario.put(Kind.JOB, changed_job())
    scenario.commit()

    apply = scenario.run("apply", "-w", "dev", "--auto-approve")

    assert apply.exit_code == 1
    assert "frozen" in apply.stdout + apply.stderr
    assert scenario.entry("jobs", "etl")["definition"].get("description") is None


def test_new_job_declaring_a_locked_tag_is_not_created(scenario):
    scenario.put(Kind.JOB, job_body("etl", basicConfig={"tags": ["frozen"]}))
    scenario.commit()

    apply = scenario.run("apply", "-w", "dev", "--auto-approve")

    assert apply.exit_code == 1
    assert scenario.entry("jobs", "etl") is None


def _template(node_type, prop):
    return {"name": "n", "type": node_type, "properties": [{"name": prop, "value": ""}]}


REFERENCES = [
    ("connections", "dws_conn", _template("DWSSQL", "connectionName")),
    ("dli_queues", "default", _template("DLISQL", "queueName")),
    ("dis_streams", "clicks", _template("DISStream", "streamName")),
    ("ges_graphs", "social", _template("Dummy", "graphName")),
]


def _node(template, value):
    node = dict(template)
    node["properties"] = [{"name": p["name"], "value": value} for p in template["properties"]]
    return node


@pytest.mark.parametrize(("category", "existing", "template"), REFERENCES, ids=[r[0] for r in REFERENCES])
def test_missing_reference_blocks_the_job(scenario, category, existing, template):
    scenario.put(Kind.JOB, job_body("etl", nodes=[_node(template, "nowhere")]))
    scenario.commit()

    plan = scenario.run("plan", "-w", "dev")
    apply = scenario.run("apply", "-w", "dev", "--auto-approve")

    assert plan.exit_code == 1
    assert "'nowhere'" in plan.stdout
    assert apply.exit_code == 1
    assert scenario.entry("jobs", "etl") is None


@pytest.mark.parametrize(("category", "existing", "template"), REFERENCES, ids=[r[0] for r in REFERENCES])
def test_mapping_resolves_a_reference_to_the_workspace_name(scenario, category, existing, template):
    scenario.configure(mappings={category: {"dev_name": existing}})
    scenario.put(Kind.JOB, job_body("etl", nodes=[_node(template, "dev_name")]))
    scenario.commit()

    apply = scenario.run("apply", "-w", "dev", "--auto-approve")

    assert apply.exit_code == 0, apply.stdout + apply.stderr
    node = scenario.entry("jobs", "etl")["definition"]["nodes"][0]
    assert node["properties"][0]["value"] == existing
    assert scenario.run("plan", "-w", "dev").stdout.count("No changes") == 1


def test_duplicate_name_skip_leaves_a_differing_job_alone(scenario):
    seed_job(scenario, job_body("etl"))
    scenario.configure(duplicate_name="skip")
    scenario.put(Kind.JOB, changed_job())
    scenario.commit()

    plan = scenario.run("plan", "-w", "dev")
    apply = scenario.run("apply", "-w", "dev", "--auto-approve")

    assert "1 skipped" in plan.stdout
    assert apply.exit_code == 0
    assert scenario.entry("jobs", "etl")["definition"].get("description") is None
    assert versions(scenario, "etl") == 1


def test_duplicate_name_overwrite_submits_a_new_version(scenario):
    seed_job(scenario, job_body("etl"))
    scenario.put(Kind.JOB, changed_job())
    scenario.commit()

    apply = scenario.run("apply", "-w", "dev", "--auto-approve")

    assert apply.exit_code == 0, apply.stderr
    entry = scenario.entry("jobs", "etl")
    assert entry["definition"]["description"] == "new"
    assert entry["versions"][-1]["definition"]["description"] == "new"
    assert versions(scenario, "etl") == 2


def test_prune_on_deletes_objects_missing_from_the_repo(scenario):
    seed_job(scenario, job_body("old"))
    scenario.configure(prune=True)
    scenario.put(Kind.JOB, job_body("etl"))
    scenario.commit()

    apply = scenario.run("apply", "-w", "dev", "--auto-approve")

    assert apply.exit_code == 0, apply.stderr
    assert scenario.entry("jobs", "old") is None
    assert scenario.entry("jobs", "etl") is not None


def test_prune_off_reports_unmanaged_objects_and_keeps_them(scenario):
    seed_job(scenario, job_body("old", description="another job"))  # equal bodies would be a rename
    scenario.put(Kind.JOB, job_body("etl"))
    scenario.commit()

    plan = scenario.run("plan", "-w", "dev", "--format", "json")
    apply = scenario.run("apply", "-w", "dev", "--auto-approve")

    assert plan.json()["summary"]["unmanaged"] == 1
    assert apply.exit_code == 0
    assert scenario.entry("jobs", "old") is not None


def test_jobs_are_created_after_the_jobs_they_depend_on(scenario):
    scenario.put(Kind.JOB, job_body("c_report", depends=["b_clean"]))
    scenario.put(Kind.JOB, job_body("b_clean", depends=["a_load"]))
    scenario.put(Kind.JOB, job_body("a_load"))
    scenario.commit()

    apply = scenario.run("apply", "-w", "dev", "--auto-approve")

    assert apply.exit_code == 0, apply.stderr
    order = [entry["definition"]["name"] for entry in scenario.document()["jobs"]]
    assert order == ["a_load", "b_clean", "c_report"]


def test_missing_dependency_blocks_the_job_and_whatever_needs_it(scenario):
    scenario.put(Kind.JOB, job_body("report", depends=["ghost"]))
    scenario.put(Kind.JOB, job_body("publish", depends=["report"]))
    scenario.commit()

    plan = scenario.run("plan", "-w", "dev", "--format", "json")
    apply = scenario.run("apply", "-w", "dev", "--auto-approve")

    changes = {c["name"]: c for c in plan.json()["changes"]}
    assert changes["report"]["action"] == "blocked"
    assert "ghost" in changes["report"]["reason"]
    assert changes["publish"]["action"] == "blocked"
    assert apply.exit_code == 1
    assert scenario.document()["jobs"] == []


def test_a_script_is_created_before_the_job_that_runs_it(scenario):
    scenario.put(Kind.SCRIPT, {"name": "load", "type": "DLISQL", "queueName": "default", "content": "select 1\n"})
    scenario.put(Kind.JOB, job_body("etl", nodes=[sql_node("run", "load", queueName="default")]))
    scenario.commit()

    apply = scenario.run("apply", "-w", "dev", "--auto-approve")

    assert apply.exit_code == 0, apply.stderr
    assert scenario.entry("scripts", "load")["definition"]["content"] == "select 1\n"
    assert scenario.entry("jobs", "etl") is not None
