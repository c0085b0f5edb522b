"""The change-hint cache never hides a change the plan must see, and saves the exports it can."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from support import WORKSPACE_ID, Scenario, environment, job_body, sql_node

from jobsync import load_workspace
from jobsync.backends.dataarts.cache import entry_line
from jobsync.core.model import Kind
from jobsync.core.normalize import body_fingerprint
from jobsync.ops.plan import make_plan, open_workspace

EXPORT = "POST v1/jobs/batch-export"

STATE = {
    "project_id": "0833a5737480d53b2f25c010dc1a7b88",
    "credentials": [
        {"ak": f"AK{user.upper()}SCALE", "sk": f"sk-{user}-not-a-secret", "user": user} for user in ("jobsync", "alice")
    ],
    "tokens": {},
    "workspaces": {},
}
LONG_AGO = 1_700_000_000_000
JOBS = ("etl_a", "etl_b", "etl_c")


def settled_job(body: dict[str, Any], stamp: int) -> dict[str, Any]:
    return {
        "definition": body,
        "status": "STOPPED",
        "lockedBy": None,
        "tags": [],
        "versions": [{"version": 1, "definition": body}],
        "id": f"{stamp:012x}",
        "createTime": stamp,
        "createUser": "jobsync",
        "lastUpdateTime": stamp,
        "lastUpdateUser": "jobsync",
    }


def document() -> dict[str, Any]:
    jobs = [settled_job(job_body(name, nodes=[sql_node("run", "load")]), LONG_AGO + i) for i, name in enumerate(JOBS)]
    script = {"definition": {"name": "load", "type": "DLISQL", "content": "select 1"}, "lockedBy": None}
    return environment(jobs=jobs, scripts=[script])


def put_job(scenario: Scenario, body: dict[str, Any]) -> None:
    scenario.put(Kind.JOB, body)
    scenario.commit("repo edit")


@pytest.fixture
def warm(emulator_server: Any, tmp_path: Path) -> Scenario:
    """Three jobs and a script, exported into the repo and committed: the cache is warm."""
    emulator_server.reset(STATE)
    emulator_server.set_workspace(WORKSPACE_ID, document())
    scenario = Scenario(tmp_path, "emulator", emulator_server)
    scenario.commit("workspace.yaml")
    result = scenario.run("export", "-w", "dev")
    assert result.exit_code == 0, result.stderr
    return scenario


def plan(scenario: Scenario, *flags: str) -> tuple[dict[str, Any], int]:
    """(plan summary, batch-export calls the plan made)."""
    before = scenario.emulator.request_counts.get(EXPORT, 0)
    result = scenario.run("plan", "-w", "dev", "--format", "json", *flags)
    assert result.exit_code == 0, result.stderr
    exports = scenario.emulator.request_counts.get(EXPORT, 0) - before
    return json.loads(result.stdout)["summary"], exports


def updated(summary: dict[str, Any]) -> int:
    return int(summary.get("update", 0))


def edited(name: str, description: str) -> dict[str, Any]:
    return job_body(name, nodes=[sql_node("run", "load")], description=description)


def test_noop_plan_with_a_warm_cache_makes_no_batch_export(warm):
    summary, exports = plan(warm)

    assert exports == 0
    assert updated(summary) == 0 and summary.get("create", 0) == 0


def test_refresh_reads_every_job_again(warm):
    summary, exports = plan(warm, "--refresh")

    assert exports == 1  # three jobs, one batch
    assert updated(summary) == 0


def cache_entry(warm, name: str) -> tuple[Path, dict]:
    path = warm.root / ".jobsync" / "cache" / "dev.json"
    for line in path.read_text().splitlines()[1:]:
        fields = line.split("\t")
        if json.loads(fields[0]) == name and len(fields) == 6:
            hint, tags = json.loads(fields[1]), json.loads(fields[3])
            found = {"hint": hint, "digest": fields[2], "tags": tags, "body": fields[5]}
    return path, found


def test_refresh_ignores_what_the_cache_holds(warm):
    path, entry = cache_entry(warm, "etl_a")
    body = json.loads(entry["body"])  # an entry is a body's JSON text, its fingerprint and tags
    body["description"] = "not what the workspace holds"
    entry["body"], entry["digest"] = json.dumps(body), body_fingerprint(Kind.JOB, body)
    with path.open("a") as handle:
        handle.write(entry_line("etl_a", entry))  # well formed, checked: a later line wins

    cached, _ = plan(warm)
    refreshed, _ = plan(warm, "--refresh")
    again, exports = plan(warm)

    assert updated(cached) == 1  # the cache is trusted while the hints match ...
    assert updated(refreshed) == 0  # ... --refresh is not fooled ...
    assert updated(again) == 0 and exports == 0  # ... and rewrites the cache


def test_an_edit_by_another_user_is_seen(warm):
    alice = warm.emulator.dataarts_workspace(WORKSPACE_ID, "alice")
    try:
        body = edited("etl_b", "edited by alice")
        alice.client.call("PUT", alice.client.path("jobs", "etl_b"), body=body, replay_safe=False)
    finally:
        alice.close()

    summary, exports = plan(warm)

    assert updated(summary) == 1 and exports == 1


def test_an_edit_through_import_is_seen(warm):
    alice = warm.emulator.dataarts_workspace(WORKSPACE_ID, "alice")
    try:
        outcome = alice.jobs.write([edited("etl_c", "imported")], "console import")
    finally:
        alice.close()
    assert outcome == {"etl_c": None}

    summary, exports = plan(warm)

    assert updated(summary) == 1 and exports == 1


def test_an_edit_by_the_same_user_is_seen(warm):
    me = warm.emulator.dataarts_workspace(WORKSPACE_ID, "jobsync")
    try:
        body = edited("etl_a", "my own console edit")
        me.client.call("PUT", me.client.path("jobs", "etl_a"), body=body, replay_safe=False)
    finally:
        me.close()

    summary, _ = plan(warm)

    assert updated(summary) == 1


def test_a_delete_and_recreate_under_the_same_name_is_seen(warm):
    document = warm.emulator.workspace(WORKSPACE_ID)
    old = document["jobs"][0]
    # Same name, same lastUpdateTime and user, another body: only createTime tells them apart.
    new = settled_job(edited("etl_a", "re-created"), old["lastUpdateTime"])
    new["createTime"] = old["createTime"] + 5
    document["jobs"][0] = new
    warm.emulator.set_workspace(WORKSPACE_ID, document)

    summary, exports = plan(warm)

    assert updated(summary) == 1 and exports == 1


def test_a_repo_edit_is_seen_without_reading_the_workspace_again(warm):
    put_job(warm, edited("etl_a", "edited in the repo"))

    summary, exports = plan(warm)

    assert updated(summary) == 1 and exports == 0


def test_a_job_without_last_update_time_is_always_read(warm):
    document = warm.emulator.workspace(WORKSPACE_ID)
    document["jobs"][1]["lastUpdateTime"] = None
    warm.emulator.set_workspace(WORKSPACE_ID, document)

    _, first = plan(warm)
    _, second = plan(warm)

    assert first == second == 1


def test_a_fresh_edit_is_read_again_until_it_settles(warm):
    alice = warm.emulator.dataarts_workspace(WORKSPACE_ID, "alice")
    try:
        body = edited("etl_b", "just now")
        alice.client.call("PUT", alice.client.path("jobs", "etl_b"), body=body, replay_safe=False)
    finally:
        alice.close()

    _, first = plan(warm)
    _, second = plan(warm)  # within the settle time: a same-millisecond save could hide

    assert first == second == 1


def test_apply_leaves_nothing_stale_behind(warm):
    put_job(warm, edited("etl_b", "from the repo"))

    applied = warm.run("apply", "-w", "dev", "--auto-approve")
    summary, _ = plan(warm)

    assert applied.exit_code == 0, applied.stderr
    assert updated(summary) == 0 and summary.get("create", 0) == 0


def test_saves_of_one_job_get_strictly_increasing_update_times(warm):
    me = warm.emulator.dataarts_workspace(WORKSPACE_ID, "jobsync")
    try:
        for i in range(5):
            body = edited("etl_c", f"save {i}")
            me.client.call("PUT", me.client.path("jobs", "etl_c"), body=body, replay_safe=False)
            stamps = [
                entry["lastUpdateTime"]
                for entry in warm.emulator.workspace(WORKSPACE_ID)["jobs"]
                if entry["definition"]["name"] == "etl_c"
            ]
            assert stamps[0] > LONG_AGO + i
    finally:
        me.close()
    me = warm.emulator.dataarts_workspace(WORKSPACE_ID, "jobsync")
    try:
        me.client.call("DELETE", me.client.path("jobs", "etl_c"), replay_safe=False)
        gone = warm.emulator.workspace(WORKSPACE_ID)
        me.client.call("POST", me.client.path("jobs"), body=edited("etl_c", "again"), replay_safe=False)
        back = next(e for e in warm.emulator.workspace(WORKSPACE_ID)["jobs"] if e["definition"]["name"] == "etl_c")
    finally:
        me.close()
    assert all(e["definition"]["name"] != "etl_c" for e in gone["jobs"])
    assert back["createTime"] > stamps[0]


def test_a_plan_decodes_only_the_cached_bodies_it_needs(warm, monkeypatch):
    """Cached bodies stay JSON text on both sides (the repo parse cache's and the workspace job
    cache's): a plan decodes only the changed job's, and the rest when something reads them."""
    for name, value in warm.env.items():
        monkeypatch.setenv(name, value)
    put_job(warm, edited("etl_b", "changed in the repo"))
    config = load_workspace(warm.root, "dev")
    workspace = open_workspace(config)
    try:
        planned = make_plan(config, workspace)
    finally:
        workspace.close()

    jobs = {key.name: remote for key, remote in planned.snapshot.objects.items() if key.kind is Kind.JOB}
    assert [c.key.name for c in planned.plan.changes if c.action.value == "update"] == ["etl_b"]
    assert sorted(name for name, remote in jobs.items() if remote.stored is None) == ["etl_b"]
    repo_jobs = {key.name: spec for key, spec in planned.desired.items() if key.kind is Kind.JOB}
    assert sorted(name for name, spec in repo_jobs.items() if spec.stored is None) == ["etl_b"]  # the edited file
    assert repo_jobs["etl_c"].body["name"] == "etl_c" and repo_jobs["etl_c"].stored is None
    assert jobs["etl_a"].body["name"] == "etl_a" and jobs["etl_a"].stored is None  # decoded when read


def test_a_corrupted_cache_entry_is_not_trusted(warm):
    path, _ = cache_entry(warm, "etl_a")
    lines = path.read_text().splitlines(keepends=True)
    lines = [line.replace('"nodes"', '"nodez"') if line.startswith('"etl_a"') else line for line in lines]
    path.write_text("".join(lines))  # the body changed, its check left as it was

    summary, exports = plan(warm)

    assert exports == 1 and updated(summary) == 0  # read again, never planned from the damaged text


def test_the_cache_appends_the_jobs_that_changed_and_writes_nothing_when_none_did(warm):
    path = warm.root / ".jobsync" / "cache" / "dev.json"
    plan(warm)
    before = path.read_bytes()
    plan(warm)
    assert path.read_bytes() == before

    alice = warm.emulator.dataarts_workspace(WORKSPACE_ID, "alice")
    try:
        body = edited("etl_b", "edited by alice")
        alice.client.call("PUT", alice.client.path("jobs", "etl_b"), body=body, replay_safe=False)
    finally:
        alice.close()
    plan(warm)

    after = path.read_bytes()
    assert after.startswith(before) and after[len(before) :].count(b"\n") >= 1
    assert b'"etl_a"' not in after[len(before) :]
