"""One contract for every Workspace: the local document and the dataarts backend against the
emulator over a real socket must behave the same."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest
from support import EXAMPLES

from jobsync.backends.base import Workspace
from jobsync.backends.dataarts.workspace import DataArtsWorkspace
from jobsync.backends.local import LocalWorkspace
from jobsync.core.model import Kind, ObjectKey
from jobsync.core.snapshot import SCHEDULING, STOPPED

SERVER_FIELDS = {"id"}

_local: Workspace = LocalWorkspace(Path("unused.json"))  # conformance, checked by mypy
_remote_type: type[Workspace] = DataArtsWorkspace  # type: ignore[assignment]


def example(name: str) -> dict[str, Any]:
    return json.loads((EXAMPLES / name).read_text())


def hive_job(**changes: Any) -> dict[str, Any]:
    job = example("job-create-hivesql-batch.request.json")
    job.update(changes)
    return job


def entry(definition: dict[str, Any], **fields: Any) -> dict[str, Any]:
    return {"definition": definition, "createUser": "analyst", **fields}


def base_document(**changes: Any) -> dict[str, Any]:
    document = {
        "lock_policy": "soft",
        "admins": ["admin"],
        "connections": [{"name": "mrs_hive_test", "type": "HIVE"}, {"name": "con", "type": "HOST"}],
        "dliQueues": ["default"],
        "disStreams": ["dis-1"],
        "gesGraphs": ["graph-1"],
        "tags": [{"name": "frozen", "locked": True}],
        "jobs": [],
        "scripts": [entry(example("script-create-shell.request.json"))],
        "resources": [entry(example("resource-create-jar.request.json"), id="r-1")],
    }
    document.update(changes)
    return document


def body_of(snapshot: Any, kind: Kind, name: str) -> dict[str, Any]:
    body = dict(snapshot.objects[ObjectKey(kind, name)].body)
    return {key: value for key, value in body.items() if key not in SERVER_FIELDS}


def test_snapshot_reads_a_seeded_document(seeded):
    job = hive_job(unknownTopLevel={"kept": [1, 2]})
    job["nodes"][0]["undocumentedNodeField"] = "x"
    harness = seeded(
        base_document(jobs=[entry(job, status=SCHEDULING, lastUpdateUser="bob", lastUpdateTime=1700000000000)])
    )
    snapshot = harness.open("analyst").snapshot()
    assert body_of(snapshot, Kind.JOB, "myJob") == job
    remote = snapshot.objects[ObjectKey(Kind.JOB, "myJob")]
    assert (remote.status, remote.last_update_user, remote.last_update_time) == (
        SCHEDULING,
        "bob",
        1700000000000,
    )
    assert body_of(snapshot, Kind.SCRIPT, "echoTimeShell") == example("script-create-shell.request.json")
    assert body_of(snapshot, Kind.RESOURCE, "test") == example("resource-create-jar.request.json")
    environment = snapshot.environment
    assert environment.connections == {"mrs_hive_test", "con"}
    assert (environment.dli_queues, environment.dis_streams, environment.ges_graphs) == (
        {"default"},
        {"dis-1"},
        {"graph-1"},
    )


def test_write_creates_and_overwrites_jobs_submitting_a_version(seeded):
    harness = seeded(base_document())
    workspace = harness.open("analyst")
    assert workspace.write(Kind.JOB, [hive_job()], user="analyst", message="first") == {"myJob": None}
    changed = hive_job(logPath="obs://other", extraField={"a": None})
    assert workspace.write(Kind.JOB, [changed], user="analyst", message="second") == {"myJob": None}
    stored = harness.document()["jobs"][0]
    assert stored["definition"] == changed
    assert [v["description"] for v in stored["versions"]] == ["first", "second"]
    assert stored["versions"][-1]["definition"] == changed
    assert stored["lockedBy"] == "analyst"
    assert body_of(workspace.snapshot(), Kind.JOB, "myJob") == changed


def test_write_scripts_and_resources_create_then_overwrite(seeded):
    harness = seeded(base_document())
    workspace = harness.open("analyst")
    script = dict(example("script-create-shell.request.json"), content="echo b", newField=1)
    fresh = {"name": "other", "type": "Shell", "content": "ls", "connectionName": "con"}
    assert workspace.write(Kind.SCRIPT, [script, fresh], user="analyst", message="m") == {
        "echoTimeShell": None,
        "other": None,
    }
    resource = dict(example("resource-create-jar.request.json"), desc="changed")
    assert workspace.write(Kind.RESOURCE, [resource], user="analyst", message="m") == {"test": None}
    snapshot = workspace.snapshot()
    assert body_of(snapshot, Kind.SCRIPT, "echoTimeShell") == script
    assert body_of(snapshot, Kind.SCRIPT, "other") == fresh
    assert body_of(snapshot, Kind.RESOURCE, "test") == resource
    assert len(harness.document()["resources"]) == 1


def blocked_code(outcome: Any, name: str) -> str | None:
    failure = outcome[name]
    assert failure is not None and failure.blocked, failure
    return failure.code


def test_a_scheduling_job_is_blocked(seeded):
    harness = seeded(base_document(jobs=[entry(hive_job(), status=SCHEDULING)]))
    outcome = harness.open("analyst").write(Kind.JOB, [hive_job(logPath="x")], user="analyst", message="m")
    assert blocked_code(outcome, "myJob") == "JOB_RUNNING"


def test_hard_lock_blocks_other_users_but_not_admins(seeded):
    locked = [entry(hive_job(), lockedBy="reviewer")]
    harness = seeded(base_document(lock_policy="hard", jobs=locked))
    outcome = harness.open("analyst").write(Kind.JOB, [hive_job(logPath="x")], user="analyst", message="m")
    assert blocked_code(outcome, "myJob") == "LOCKED"
    outcome = harness.open("admin").write(Kind.JOB, [hive_job(logPath="y")], user="admin", message="m")
    assert outcome == {"myJob": None}
    assert harness.document()["jobs"][0]["lockedBy"] == "admin"


def test_soft_lock_lets_another_user_take_over(seeded):
    harness = seeded(base_document(jobs=[entry(hive_job(), lockedBy="reviewer")]))
    outcome = harness.open("analyst").write(Kind.JOB, [hive_job(logPath="x")], user="analyst", message="m")
    assert outcome == {"myJob": None}


def test_a_locked_tag_is_blocked(seeded):
    job = hive_job(basicConfig={"owner": "a", "tags": ["frozen"]})
    outcome = seeded(base_document()).open("analyst").write(Kind.JOB, [job], user="analyst", message="m")
    assert blocked_code(outcome, "myJob") == "LOCKED_TAG"


def test_a_missing_connection_is_blocked(seeded):
    harness = seeded(base_document(connections=[]))
    outcome = harness.open("analyst").write(Kind.JOB, [hive_job()], user="analyst", message="m")
    assert blocked_code(outcome, "myJob") == "MISSING_REFERENCE"
    script = {"name": "s", "type": "Shell", "content": "ls", "connectionName": "nowhere"}
    outcome = harness.open("analyst").write(Kind.SCRIPT, [script], user="analyst", message="m")
    assert blocked_code(outcome, "s") == "MISSING_REFERENCE"


def test_one_blocked_job_does_not_stop_the_others(seeded):
    harness = seeded(base_document(jobs=[entry(hive_job(), status=SCHEDULING)]))
    other = hive_job(name="second")
    outcome = harness.open("analyst").write(Kind.JOB, [hive_job(logPath="x"), other], user="analyst", message="m")
    assert outcome["second"] is None
    assert outcome["myJob"] is not None and outcome["myJob"].code == "JOB_RUNNING"


def test_delete_removes_and_reports_missing(seeded):
    harness = seeded(base_document(jobs=[entry(hive_job())]))
    workspace = harness.open("analyst")
    assert workspace.delete(Kind.JOB, ["myJob"], user="analyst") == {"myJob": None}
    assert workspace.delete(Kind.SCRIPT, ["echoTimeShell"], user="analyst") == {"echoTimeShell": None}
    assert workspace.delete(Kind.RESOURCE, ["test"], user="analyst") == {"test": None}
    missing = workspace.delete(Kind.JOB, ["myJob"], user="analyst")["myJob"]
    assert missing is not None and missing.code == "NOT_FOUND" and not missing.blocked
    assert workspace.snapshot().objects == {}


def test_delete_of_a_scheduling_job_is_blocked(seeded):
    harness = seeded(base_document(jobs=[entry(hive_job(), status=SCHEDULING)]))
    outcome = harness.open("analyst").delete(Kind.JOB, ["myJob"], user="analyst")
    assert blocked_code(outcome, "myJob") == "JOB_RUNNING"


def test_set_scheduling_starts_and_stops(seeded):
    harness = seeded(base_document(jobs=[entry(hive_job())]))
    workspace = harness.open("analyst")
    assert workspace.set_scheduling(["myJob"], True, user="analyst") == {"myJob": None}
    assert workspace.snapshot().objects[ObjectKey(Kind.JOB, "myJob")].status == SCHEDULING
    assert workspace.set_scheduling(["myJob"], False, user="analyst") == {"myJob": None}
    assert workspace.snapshot().objects[ObjectKey(Kind.JOB, "myJob")].status == STOPPED


def test_submitted_snapshot_reads_the_latest_version(seeded):
    submitted = hive_job(logPath="obs://submitted")
    versions = [
        {
            "version": 1,
            "definition": submitted,
            "submitUser": "a",
            "submitTime": 1,
            "description": "",
        }
    ]
    never = hive_job(name="neverSubmitted")
    harness = seeded(base_document(jobs=[entry(hive_job(), versions=versions), entry(never)]))
    snapshot = harness.open("analyst").snapshot(state="submitted")
    assert body_of(snapshot, Kind.JOB, "myJob") == submitted
    assert ObjectKey(Kind.JOB, "neverSubmitted") not in snapshot.objects


def test_unknown_fields_round_trip_unchanged(seeded):
    job = example("job-show-hivesql.response.json")
    for key in ("id", "lastUpdateUser"):
        job.pop(key)
    job["basicConfig"]["encrypt"] = {"x": [1, {"y": None}]}
    job["nodes"][0]["properties"].append({"name": "secretish", "value": "v", "value_is_sensitive": False})
    harness = seeded(base_document(connections=[{"name": "mrs_hive_test"}]))
    workspace = harness.open("analyst")
    assert workspace.write(Kind.JOB, [copy.deepcopy(job)], user="analyst", message="m") == {job["name"]: None}
    assert body_of(workspace.snapshot(), Kind.JOB, job["name"]) == job


def test_rename_keeps_the_id_and_versions(seeded):
    versions = [
        {"version": 1, "definition": hive_job(), "submitUser": "bob", "submitTime": 1, "description": "one"},
        {"version": 2, "definition": hive_job(), "submitUser": "bob", "submitTime": 2, "description": "two"},
    ]
    harness = seeded(base_document(jobs=[entry(hive_job(), id="7", versions=versions)]))
    workspace = harness.open("analyst")

    outcome = workspace.rename(Kind.JOB, {"myJob": "我的作业"}, user="analyst")

    assert outcome == {"我的作业": None}
    (stored,) = harness.document()["jobs"]
    assert (stored["id"], stored["definition"]["name"]) == ("7", "我的作业")
    assert [v["version"] for v in stored["versions"]] == [1, 2]
    snapshot = workspace.snapshot(refresh=True)
    assert ObjectKey(Kind.JOB, "我的作业") in snapshot.objects and ObjectKey(Kind.JOB, "myJob") not in snapshot.objects
    assert [(v.version, v.submitter, v.description) for v in workspace.versions("我的作业")] == [
        (2, "bob", "two"),
        (1, "bob", "one"),
    ]


def test_rename_onto_an_existing_or_missing_job_fails(seeded):
    harness = seeded(base_document(jobs=[entry(hive_job()), entry(hive_job(name="other"))]))
    workspace = harness.open("analyst")

    outcome = workspace.rename(Kind.JOB, {"myJob": "other", "ghost": "spirit"}, user="analyst")

    assert outcome["other"] is not None and "other" in outcome["other"].message
    assert outcome["spirit"] is not None and outcome["spirit"].code == "NOT_FOUND"
    assert {job["definition"]["name"] for job in harness.document()["jobs"]} == {"myJob", "other"}


def test_rename_of_a_scheduling_job_is_blocked(seeded):
    harness = seeded(base_document(jobs=[entry(hive_job(), status=SCHEDULING)]))

    outcome = harness.open("analyst").rename(Kind.JOB, {"myJob": "renamed"}, user="analyst")

    assert outcome["renamed"] is not None and outcome["renamed"].blocked


# What the service refuses at write time (core/writecheck.py): both backends refuse the same
# bodies with the same rule code, and the message names what is wrong.
REFUSED_JOBS = {
    "a name with a space": (hive_job(name="bad name"), "INVALID", "is invalid"),
    "no nodes": ({k: v for k, v in hive_job().items() if k != "nodes"}, "INVALID", "needs nodes"),
    "no schedule": ({k: v for k, v in hive_job().items() if k != "schedule"}, "INVALID", "needs a schedule"),
    "an unknown processType": (hive_job(processType="SOMETIMES"), "INVALID", "processType"),
    "an unknown schedule.type": (hive_job(schedule={"type": "HOURLY"}), "INVALID", "schedule.type"),
    "an invalid cron": (
        hive_job(schedule={"type": "CRON", "cron": {"expression": "0 0 25 * * ?"}}),
        "INVALID",
        "field 3 (hour)",
    ),
}


@pytest.mark.parametrize("case", list(REFUSED_JOBS))
def test_a_job_the_service_refuses_is_refused_the_same_way_by_both(seeded, case):
    body, code, said = REFUSED_JOBS[case]
    harness = seeded(base_document())

    outcome = harness.open("analyst").write(Kind.JOB, [body], user="analyst", message="m")

    assert blocked_code(outcome, str(body["name"])) == code
    assert said in outcome[str(body["name"])].message
    assert harness.document()["jobs"] == []


def test_a_script_type_change_is_refused_the_same_way_by_both(seeded):
    harness = seeded(base_document())
    script = example("script-create-shell.request.json")

    outcome = harness.open("analyst").write(Kind.SCRIPT, [{**script, "type": "DLISQL"}], user="analyst", message="m")

    assert blocked_code(outcome, script["name"]) == "IMMUTABLE"
    assert harness.document()["scripts"][0]["definition"]["type"] == script["type"]
