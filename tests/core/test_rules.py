"""Every rule of core/rules.py as a pure function: no repo, no backend, no CLI."""

from __future__ import annotations

from typing import Any

import pytest

from jobsync.core.model import Kind, ObjectKey, Spec
from jobsync.core.plan import Action, Change, PlanSettings
from jobsync.core.policies import Policies
from jobsync.core.rules import (
    apply_rules,
    dependency_rule,
    is_running,
    job_tags,
    lock_rule,
    lock_verdict,
    locked_tags_of,
    missing_references,
    reference_rule,
    running_rule,
    tag_rule,
)
from jobsync.core.snapshot import SCHEDULING, STOPPED, Environment, RemoteObject, Snapshot

ETL = ObjectKey(Kind.JOB, "etl")


def settings(user: str = "me", **policies: Any) -> PlanSettings:
    mappings = policies.pop("mappings", {})
    return PlanSettings(workspace="dev", user=user, policies=Policies(**policies), mappings=mappings)


def update(body: dict[str, Any] | None = None, key: ObjectKey = ETL, action: Action = Action.UPDATE) -> Change:
    return Change(key=key, action=action, desired=body if body is not None else {"name": key.name})


def remote(key: ObjectKey = ETL, **fields: Any) -> RemoteObject:
    return RemoteObject(key=key, body={"name": key.name}, **fields)


# -- lock --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("holder", "user", "policy", "refused", "warned"),
    [
        (None, "me", "hard", False, False),
        ("me", "me", "hard", False, False),
        ("alice", "me", "soft", False, True),
        ("alice", "me", "hard", True, False),
        ("alice", "admin", "hard", False, True),
    ],
)
def test_lock_verdict(holder, user, policy, refused, warned):
    reason, warning = lock_verdict(holder, user, policy, {"admin"})
    assert (reason is not None, warning is not None) == (refused, warned)
    if reason:
        assert "alice must unlock it" in reason


def test_lock_rule_takes_the_workspace_policy_over_the_configured_one():
    hard = Environment(lock_policy="hard")
    reasons, _ = lock_rule(remote(locked_by="alice"), hard, settings(lock="soft"))
    assert reasons and "hard lock policy" in reasons[0]
    reasons, warnings = lock_rule(remote(locked_by="alice"), Environment(), settings(lock="soft"))
    assert not reasons and "soft lock policy" in warnings[0]


# -- running jobs -----------------------------------------------------------------------------


def test_running_rule_blocks_under_fail_and_restarts_under_stop_and_restart():
    running = remote(status=SCHEDULING)
    reasons, _, restart = running_rule(update(), running, settings(running_jobs="fail"))
    assert reasons and not restart
    reasons, warnings, restart = running_rule(update(), running, settings(running_jobs="stop-and-restart"))
    assert not reasons and restart and "starts it again" in warnings[0]
    _, warnings, _ = running_rule(update(action=Action.DELETE), running, settings(running_jobs="stop-and-restart"))
    assert "deletes it" in warnings[0] and "again" not in warnings[0]
    assert running_rule(update(), remote(status=STOPPED), settings()) == ([], [], False)
    assert is_running(SCHEDULING) and not is_running(None)


# -- tags -------------------------------------------------------------------------------------


def test_job_tags_join_the_workspace_tags_and_the_declared_ones():
    body = {"basicConfig": {"tags": ["declared", 7]}}
    assert job_tags(body, ["remote"]) == {"declared", "7", "remote"}
    assert job_tags({"basicConfig": "not a mapping"}) == set()
    assert locked_tags_of(body, ["remote"], {"remote", "other"}) == ["remote"]


def test_tag_rule_blocks_a_locked_tag_but_never_a_delete_or_an_unknown_tag_list():
    locked = Environment(locked_tags=frozenset({"frozen"}))
    declared = update({"name": "etl", "basicConfig": {"tags": ["frozen"]}})
    assert tag_rule(declared, None, locked) == ["carries the locked tag frozen; unlock the tag in the console first"]
    assert tag_rule(update(), remote(tags=("frozen",)), locked)
    assert tag_rule(update(action=Action.DELETE), remote(tags=("frozen",)), locked) == []
    assert tag_rule(declared, None, Environment(locked_tags=None)) == []


# -- references -------------------------------------------------------------------------------


SQL = {
    "name": "etl",
    "nodes": [{"name": "q", "type": "DWSSQL", "properties": [{"name": "connectionName", "value": "dws_prod"}]}],
}


def test_missing_references_names_each_and_ignores_what_the_backend_cannot_list():
    assert missing_references(Kind.JOB, SQL, Environment(connections=frozenset())) == [("connections", "dws_prod")]
    assert missing_references(Kind.JOB, SQL, Environment(connections=None)) == []


def test_reference_rule_names_the_repo_name_a_mapping_came_from():
    reasons = reference_rule(
        update(SQL), Environment(connections=frozenset()), settings(mappings={"connections": {"dws": "dws_prod"}})
    )
    assert reasons == [
        "refers to data connection 'dws_prod' (mapped from 'dws'), which does not exist in this workspace; "
        "create it, or map it under mappings.connections"
    ]


# -- dependencies, deletes still in use, propagation -----------------------------------------


def depending(name: str, *, script: str | None = None, jobs: list[str] | None = None) -> dict[str, Any]:
    nodes = [{"name": "n", "type": "DLISQL", "properties": [{"name": "scriptName", "value": script}]}] if script else []
    schedule = {"type": "CRON", "cron": {"dependJobs": {"jobs": jobs}}} if jobs else {"type": "EXECUTE_ONCE"}
    return {"name": name, "nodes": nodes, "schedule": schedule}


def test_dependency_rule_needs_scripts_and_jobs_that_exist_or_are_created():
    change = update(depending("etl", script="load", jobs=["upstream"]))
    assert len(dependency_rule(change, set(), set())) == 2
    exists = {ObjectKey(Kind.SCRIPT, "load")}
    creating = {ObjectKey(Kind.JOB, "upstream")}
    assert dependency_rule(change, exists, creating) == []


def test_a_delete_of_something_the_repo_still_uses_is_blocked():
    script = ObjectKey(Kind.SCRIPT, "load")
    user = Spec(ETL, depending("etl", script="load"))
    delete = Change(key=script, action=Action.DELETE, before={"name": "load"})
    snapshot = Snapshot(objects={script: remote(script)})
    (checked,) = apply_rules([delete], {ETL: user}, snapshot, settings())
    assert checked.action is Action.BLOCKED and checked.intended is Action.DELETE
    assert checked.reason == "still used by job etl in the repo"


def test_a_job_needing_a_blocked_creation_is_blocked_too_until_nothing_moves():
    upstream, middle = ObjectKey(Kind.JOB, "upstream"), ObjectKey(Kind.JOB, "middle")
    bad = {**depending("upstream"), "nodes": SQL["nodes"]}
    changes = [
        Change(key=upstream, action=Action.CREATE, desired=bad),
        Change(key=middle, action=Action.CREATE, desired=depending("middle", jobs=["upstream"])),
        Change(key=ETL, action=Action.CREATE, desired=depending("etl", jobs=["middle"])),
    ]
    snapshot = Snapshot(environment=Environment(connections=frozenset()))
    checked = apply_rules(changes, {}, snapshot, settings())
    assert [c.action for c in checked] == [Action.BLOCKED] * 3
    assert checked[2].reason == "needs job middle, which is blocked"
