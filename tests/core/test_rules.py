"""Every rule of core/rules.py as a pure function: no repo, no backend, no CLI."""

from __future__ import annotations

from typing import Any

import pytest

from jobsync.core.model import Kind, ObjectKey, Spec
from jobsync.core.plan import Action, Change, PlanSettings
from jobsync.core.policies import Policies
from jobsync.core.rules import (
    DLF_OF_RULE,
    NOT_FOUND_DLF,
    RULE_OF_DLF,
    apply_rules,
    defined_variables,
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
    variable_rule,
)
from jobsync.core.snapshot import RULE_CODES, SCHEDULING, STOPPED, Environment, RemoteObject, Snapshot

ETL = ObjectKey(Kind.JOB, "etl")


def settings(user: str = "me", **policies: Any) -> PlanSettings:
    mappings = policies.pop("mappings", {})
    declare_in = policies.pop("declare_in", None)
    return PlanSettings(
        workspace="dev", user=user, policies=Policies(**policies), mappings=mappings, declare_in=declare_in
    )


def valid(key: ObjectKey) -> dict[str, Any]:
    """The smallest body the service accepts for `key` (core/writecheck.py)."""
    if key.kind is Kind.JOB:
        return {"name": key.name, "nodes": [], "schedule": {"type": "CRON"}}
    return {"name": key.name, "type": "Shell"}


def update(body: dict[str, Any] | None = None, key: ObjectKey = ETL, action: Action = Action.UPDATE) -> Change:
    return Change(key=key, action=action, desired=body if body is not None else valid(key))


def remote(key: ObjectKey = ETL, **fields: Any) -> RemoteObject:
    return RemoteObject(key=key, body=valid(key), **fields)


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
        "create it in the console, or map it under mappings.connections"
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


# -- references, one category at a time ------------------------------------------------------


def node(node_type: str, prop: str, value: str) -> dict[str, Any]:
    return {"name": "n", "type": node_type, "properties": [{"name": prop, "value": value}]}


# (category, the noun the reason uses, the node that names it, the workspace's name)
REFERENCES = [
    ("connections", "data connection", node("DWSSQL", "connectionName", "dws_prod"), "dws_prod"),
    ("dli_queues", "DLI queue", node("DLISQL", "queueName", "q_prod"), "q_prod"),
    ("dli_queues", "DLI queue", node("DLISpark", "clusterName", "q_prod"), "q_prod"),
    ("dis_streams", "DIS stream", node("DISStream", "streamName", "s_prod"), "s_prod"),
    ("ges_graphs", "GES graph", node("GES", "graphName", "g_prod"), "g_prod"),
]


@pytest.mark.parametrize(("category", "noun", "uses", "name"), REFERENCES)
def test_reference_rule_blocks_each_missing_category_under_its_mapped_name(category, noun, uses, name):
    change = update({"name": "etl", "nodes": [uses]})
    mapped = settings(mappings={category: {"repo_name": name}})
    none = Environment(**{category: frozenset()})
    assert reference_rule(change, none, mapped) == [
        f"refers to {noun} {name!r} (mapped from 'repo_name'), which does not exist in this workspace; "
        f"create it in the console, or map it under mappings.{category}"
    ]
    unmapped = reference_rule(change, none, settings())
    assert unmapped and "mapped from" not in unmapped[0]
    assert reference_rule(change, Environment(**{category: frozenset({name})}), mapped) == []
    others = [c for c in ("connections", "dli_queues", "dis_streams", "ges_graphs") if c != category]
    assert reference_rule(change, Environment(**{c: frozenset() for c in others}), mapped) == []


def test_a_dis_event_trigger_names_a_stream_and_a_script_names_its_connection_and_queue():
    triggered = {
        "name": "etl",
        "nodes": [{"name": "n", "type": "Dummy", "eventTrigger": {"eventType": "DIS", "channel": "in"}}],
    }
    assert missing_references(Kind.JOB, triggered, Environment(dis_streams=frozenset())) == [("dis_streams", "in")]
    script = {"name": "load", "connectionName": "dli", "queueName": "default"}
    empty = Environment(connections=frozenset(), dli_queues=frozenset())
    assert missing_references(Kind.SCRIPT, script, empty) == [("connections", "dli"), ("dli_queues", "default")]
    key = ObjectKey(Kind.SCRIPT, "load")
    assert len(reference_rule(update(script, key=key), empty, settings())) == 2


# -- dependencies, each on its own ------------------------------------------------------------


def test_dependency_rule_names_a_missing_script():
    assert dependency_rule(update(depending("etl", script="load")), set(), set()) == [
        "runs script 'load', which is neither in the workspace nor created by this plan: "
        "fix the name, or add the script (scripts/<folder>/load.yaml)"
    ]
    assert dependency_rule(update(depending("etl", script="load")), {ObjectKey(Kind.SCRIPT, "load")}, set()) == []


def test_dependency_rule_names_a_missing_depend_job_unless_this_apply_creates_it():
    change = update(depending("etl", jobs=["upstream"]))
    assert dependency_rule(change, set(), set()) == [
        "depends on job 'upstream' (schedule.cron.dependJobs), which is neither in the workspace nor created "
        "by this plan: fix the name, or remove it from dependJobs"
    ]
    assert dependency_rule(change, set(), {ObjectKey(Kind.JOB, "upstream")}) == []
    assert dependency_rule(change, {ObjectKey(Kind.JOB, "upstream")}, set()) == []


def test_dependency_rule_names_the_closest_names_never_the_job_itself():
    change = update(depending("日报", script="日报_载入x", jobs=["日报x"]), key=ObjectKey(Kind.JOB, "日报"))
    exists = {ObjectKey(Kind.SCRIPT, "日报_载入"), ObjectKey(Kind.JOB, "日报")}

    assert dependency_rule(change, exists, {ObjectKey(Kind.JOB, "周报x")}) == [
        "runs script '日报_载入x', which is neither in the workspace nor created by this plan; "
        "did you mean '日报_载入'? Fix the name, or add the script (scripts/<folder>/日报_载入x.yaml)",
        "depends on job '日报x' (schedule.cron.dependJobs), which is neither in the workspace nor created "
        "by this plan; did you mean '周报x'? Fix the name, or remove it from dependJobs",
    ]


def test_dependency_rule_ignores_deletes_and_objects_that_are_not_jobs():
    gone = Change(key=ETL, action=Action.DELETE, desired=depending("etl", script="load"))
    assert dependency_rule(gone, set(), set()) == []
    script = update({"name": "load", "scriptName": "other"}, key=ObjectKey(Kind.SCRIPT, "load"))
    assert dependency_rule(script, set(), set()) == []


def test_a_dependency_created_in_the_same_apply_lets_the_job_through():
    upstream = ObjectKey(Kind.JOB, "upstream")
    changes = [
        Change(key=ETL, action=Action.CREATE, desired=depending("etl", jobs=["upstream"])),
        Change(key=upstream, action=Action.CREATE, desired=depending("upstream")),
    ]
    checked = apply_rules(changes, {}, Snapshot(), settings())
    assert [c.action for c in checked] == [Action.CREATE, Action.CREATE]
    (alone,) = apply_rules(changes[:1], {}, Snapshot(), settings())
    assert alone.action is Action.BLOCKED and "depends on job 'upstream'" in alone.reason


# -- environment variables ---------------------------------------------------------------------


def test_variable_rule_needs_each_variable_a_job_or_script_reads():
    body = {"name": "etl", "params": [{"name": "p", "value": '#{Env.get("region")}'}]}
    assert variable_rule(update(body), set()) == [
        "reads environment variable 'region' (#{Env.get(\"region\")}), which is defined neither in this "
        "workspace nor in its variables.yaml; add it to variables.yaml"
    ]
    assert variable_rule(update(body), {"region"}) == []
    assert variable_rule(update(body, action=Action.DELETE), set()) == []
    resource = update({"name": "r", "desc": '#{Env.get("x")}'}, key=ObjectKey(Kind.RESOURCE, "r"))
    assert variable_rule(resource, set()) == []


def test_defined_variables_are_the_repos_and_the_workspaces_not_being_deleted():
    region, stage = ObjectKey(Kind.VARIABLE, "region"), ObjectKey(Kind.VARIABLE, "stage")
    snapshot = Snapshot(objects={region: remote(region), stage: remote(stage)})
    deleting = [Change(key=stage, action=Action.DELETE)]
    desired = {ObjectKey(Kind.VARIABLE, "new"): Spec(ObjectKey(Kind.VARIABLE, "new"), {"name": "new"})}
    assert defined_variables(deleting, desired, snapshot) == {"region", "new"}


# -- deletes of what the repo still uses --------------------------------------------------------


def test_deleting_a_job_another_depends_on_or_a_variable_a_script_reads_is_blocked():
    upstream, region = ObjectKey(Kind.JOB, "upstream"), ObjectKey(Kind.VARIABLE, "region")
    load = ObjectKey(Kind.SCRIPT, "load")
    desired = {
        ETL: Spec(ETL, depending("etl", jobs=["upstream"])),
        load: Spec(load, {"name": "load", "content": 'echo #{Env.get("region")}'}),
    }
    snapshot = Snapshot(objects={upstream: remote(upstream), region: remote(region)})
    deletes = [Change(key=upstream, action=Action.DELETE), Change(key=region, action=Action.DELETE)]
    job, variable = apply_rules(deletes, desired, snapshot, settings())
    assert (job.action, job.reason) == (Action.BLOCKED, "still used by job etl in the repo")
    assert (variable.action, variable.reason) == (Action.BLOCKED, "still used by script load in the repo")


def test_a_delete_nothing_in_the_repo_uses_goes_through():
    script = ObjectKey(Kind.SCRIPT, "load")
    desired = {ETL: Spec(ETL, depending("etl", script="other"))}
    (checked,) = apply_rules(
        [Change(key=script, action=Action.DELETE)], desired, Snapshot({script: remote(script)}), settings()
    )
    assert checked.action is Action.DELETE


# -- propagation -------------------------------------------------------------------------------


def test_a_job_whose_script_creation_is_blocked_is_blocked_but_not_for_an_existing_script():
    load = ObjectKey(Kind.SCRIPT, "load")
    bad_script = {"name": "load", "connectionName": "missing"}
    job = Change(key=ETL, action=Action.CREATE, desired=depending("etl", script="load"))
    empty = Environment(connections=frozenset())
    created = apply_rules(
        [Change(key=load, action=Action.CREATE, desired=bad_script), job], {}, Snapshot(environment=empty), settings()
    )
    assert [c.action for c in created] == [Action.BLOCKED, Action.BLOCKED]
    assert created[1].reason == "needs script load, which is blocked"
    # The script exists already: its update is blocked, but the job runs the workspace's copy.
    existing = Snapshot(objects={load: remote(load)}, environment=empty)
    updated = apply_rules([Change(key=load, action=Action.UPDATE, desired=bad_script), job], {}, existing, settings())
    assert [c.action for c in updated] == [Action.BLOCKED, Action.CREATE]


# -- apply_rules puts the verdicts on the change ---------------------------------------------


def test_apply_rules_keeps_warnings_and_restart_and_joins_every_reason():
    running = Snapshot(objects={ETL: remote(status=SCHEDULING, locked_by="alice")})
    (restarted,) = apply_rules([update()], {}, running, settings(running_jobs="stop-and-restart"))
    assert restarted.action is Action.UPDATE and restarted.restart
    assert restarted.warnings == (
        "takes the edit lock from alice (soft lock policy)",
        "job is scheduling: apply stops it, submits the new version and starts it again",
    )
    (blocked,) = apply_rules([update(action=Action.DELETE)], {}, running, settings(lock="hard"))
    assert blocked.action is Action.BLOCKED and blocked.intended is Action.DELETE and not blocked.restart
    assert blocked.reason == (
        "locked by alice under the hard lock policy; alice must unlock it, or a workspace admin must apply; "
        "job is scheduling and policies.running_jobs is fail; stop it in the console, "
        "or set running_jobs: stop-and-restart"
    )


def test_running_and_tag_rules_only_concern_jobs():
    script = ObjectKey(Kind.SCRIPT, "load")
    snapshot = Snapshot(
        objects={script: remote(script, status=SCHEDULING, tags=("frozen",))},
        environment=Environment(locked_tags=frozenset({"frozen"})),
    )
    (checked,) = apply_rules([update(key=script)], {}, snapshot, settings())
    assert checked.action is Action.UPDATE and checked.warnings == ()


# -- the DLF codes the service answers a broken rule with ----------------------------------------


def test_every_rule_code_has_a_dlf_code_that_reads_back_to_it():
    assert set(DLF_OF_RULE) == set(RULE_CODES)
    assert all(RULE_OF_DLF[dlf] == rule for rule, dlf in DLF_OF_RULE.items())
    assert len(set(DLF_OF_RULE.values())) == len(DLF_OF_RULE)
    assert {RULE_OF_DLF[dlf] for dlf in NOT_FOUND_DLF.values()} == {"NOT_FOUND"}


def test_reference_rule_on_the_local_backend_names_the_file_and_key_to_declare_it_in():
    change = update({"name": "etl", "nodes": [node("DLISQL", "queueName", "报表队列")]})
    local = settings(declare_in="workspaces/dev/workspace.yaml")

    assert reference_rule(change, Environment(dli_queues=frozenset()), local) == [
        "refers to DLI queue '报表队列', which does not exist in this workspace; the local workspace has what "
        "workspaces/dev/workspace.yaml lists under `local:`: add '报表队列' to local.dli_queues there, "
        "or map it under mappings.dli_queues"
    ]
