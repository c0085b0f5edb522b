"""compute_plan is pure: two states in, a plan out."""

from __future__ import annotations

from jobsync.core.model import Kind, ObjectKey, Spec
from jobsync.core.plan import Action, PlanSettings
from jobsync.core.planner import compute_plan
from jobsync.core.policies import Policies
from jobsync.core.snapshot import Environment, RemoteObject, Snapshot


def job(name, **extra):
    return {"name": name, "nodes": [{"name": "a", "type": "Dummy"}], "schedule": {"type": "CRON"}, **extra}


def desired(*bodies):
    return {ObjectKey(Kind.JOB, b["name"]): Spec(ObjectKey(Kind.JOB, b["name"]), b) for b in bodies}


def snapshot(*bodies, **environment):
    objects = {
        ObjectKey(Kind.JOB, b["name"]): RemoteObject(ObjectKey(Kind.JOB, b["name"]), b, status="STOPPED")
        for b in bodies
    }
    return Snapshot(objects=objects, environment=Environment(**environment))


def plan(wanted, actual, **policies):
    return compute_plan(wanted, actual, PlanSettings(workspace="dev", user="me", policies=Policies(**policies)))


def actions(result):
    return {c.key.name: c.action for c in result.changes}


def test_plan_marks_objects_by_where_they_are():
    result = plan(
        desired(job("new"), job("same"), job("changed", description="x")),
        snapshot(job("same"), job("changed"), job("extra", description="only here")),  # not a rename of "new"
    )

    assert actions(result) == {
        "new": Action.CREATE,
        "same": Action.NOOP,
        "changed": Action.UPDATE,
        "extra": Action.UNMANAGED,
    }
    assert result.summary["create"] == 1 and result.has_changes


def test_server_managed_fields_and_filled_in_defaults_are_not_changes():
    remote = job("etl", id=42, createTime=1, lastUpdateUser="bob", version=7, directory="/a/", basicConfig={"tags": {}})
    remote["nodes"] = [
        {"name": "a", "type": "Dummy", "pollingInterval": 10, "retryTimes": 0, "failPolicy": "FAIL", "preNodeName": []}
    ]

    result = plan(desired(job("etl", directory="/a", basicConfig={})), snapshot(remote))

    assert actions(result) == {"etl": Action.NOOP}


def test_update_lists_field_changes_by_readable_path():
    before = job("etl")
    after = job("etl")
    after["nodes"] = [{"name": "a", "type": "Dummy", "properties": [{"name": "database", "value": "new"}]}]
    before["nodes"] = [{"name": "a", "type": "Dummy", "properties": [{"name": "database", "value": "old"}]}]

    change = plan(desired(after), snapshot(before)).changes[0]

    assert [(d.path, d.before, d.after) for d in change.diff] == [("nodes.a.properties.database", "old", "new")]


def test_prune_turns_unmanaged_into_delete():
    result = plan(desired(), snapshot(job("extra")), prune=True)

    assert actions(result) == {"extra": Action.DELETE}


def test_plan_is_the_same_when_computed_twice():
    wanted, actual = desired(job("a", description="1"), job("b")), snapshot(job("a"), job("c"))

    assert plan(wanted, actual) == plan(wanted, actual)


def test_unknown_environment_skips_the_reference_check():
    body = job("etl")
    body["nodes"] = [{"name": "a", "type": "DWSSQL", "properties": [{"name": "connectionName", "value": "x"}]}]

    unknown = plan(desired(body), snapshot())
    known = plan(desired(body), snapshot(connections=frozenset({"y"})))

    assert actions(unknown) == {"etl": Action.CREATE}
    assert actions(known) == {"etl": Action.BLOCKED}
    assert "data connection 'x'" in known.changes[0].reason


def test_a_new_variable_is_described_without_its_value():
    key = ObjectKey(Kind.VARIABLE, "db_password")
    body = {"name": "db_password", "type": "variable", "value": "s3cret"}
    result = compute_plan({key: Spec(key, body)}, Snapshot(), PlanSettings(workspace="dev", user="me"))
    (change,) = result.changes
    assert change.reason == "new environment variable"
    assert "s3cret" not in change.reason


def test_a_new_job_equal_to_an_unmanaged_one_is_a_hint_not_a_rename():
    result = plan(desired(job("new_name", description="d")), snapshot(job("old_name", description="d")))

    assert actions(result) == {"new_name": Action.CREATE, "old_name": Action.UNMANAGED}
    created = next(c for c in result.changes if c.key.name == "new_name")
    assert "workspace job old_name (not in the repo) has the same definition" in created.warnings[-1]
    assert "rename" not in result.summary or result.summary["rename"] == 0


def test_equal_bodies_that_pair_more_than_one_way_are_not_guessed():
    result = plan(desired(job("a2"), job("b2")), snapshot(job("a1"), job("b1")))

    assert actions(result) == {
        "a2": Action.CREATE,
        "b2": Action.CREATE,
        "a1": Action.UNMANAGED,
        "b1": Action.UNMANAGED,
    }


def test_a_rename_hint_pairs_different_bodies_and_shows_the_body_change():
    result = compute_plan(
        desired(job("etl_v2", description="new")),
        snapshot(job("etl", description="old")),
        PlanSettings(workspace="dev", user="me"),
        rename_hints={"etl": "etl_v2", "missing": "etl_v3"},
    )

    (change,) = result.changes
    assert (change.action, change.renamed_from) == (Action.RENAME, "etl")
    assert [(d.path, d.before, d.after) for d in change.diff] == [("description", "old", "new")]


def test_renaming_a_scheduling_job_is_blocked_under_running_jobs_fail():
    remote = snapshot(job("old_name"))
    remote.objects[ObjectKey(Kind.JOB, "old_name")] = RemoteObject(
        ObjectKey(Kind.JOB, "old_name"), job("old_name"), status="SCHEDULING"
    )

    result = compute_plan(
        desired(job("new_name")),
        remote,
        PlanSettings(workspace="dev", user="me"),
        rename_hints={"old_name": "new_name"},  # git's rename: the evidence
    )

    (change,) = result.changes
    assert (change.action, change.intended) == (Action.BLOCKED, Action.RENAME)
    assert "job is scheduling" in change.reason
