"""The emulator, as served over its socket, answers from its own table of the service's
documented behaviour (emulator/service.py): change an entry and the answer changes, with no
planner code involved."""

from __future__ import annotations

import uuid

import pytest
from support import environment, job_body, remote_job

from jobsync.core.model import Kind
from jobsync.emulator import service
from jobsync.emulator.service import LockAnswer

CHANGED = job_body("报表", description="edited")


def hard_locked_by_alice(emulator) -> str:
    workspace_id = uuid.uuid4().hex[:8]
    emulator.set_workspace(
        workspace_id, environment(lock_policy="hard", jobs=[remote_job(job_body("报表"), locked_by="alice")])
    )
    return workspace_id


def write(emulator, workspace_id: str):
    workspace = emulator.dataarts_workspace(workspace_id, user="analyst")
    try:
        return workspace.write(Kind.JOB, [CHANGED], user="analyst", message="edit")["报表"]
    finally:
        workspace.close()


def test_a_hard_lock_held_by_another_refuses_the_import(emulator):
    workspace_id = hard_locked_by_alice(emulator)
    failure = write(emulator, workspace_id)
    assert failure is not None and failure.blocked and "locked by alice" in failure.message
    assert emulator.workspace(workspace_id)["jobs"][0]["definition"].get("description") is None


def test_the_answer_follows_the_emulators_table(emulator, monkeypatch):
    monkeypatch.setitem(service.LOCKS, "hard", LockAnswer(others_may_write=True, admins_may_write=True))
    workspace_id = hard_locked_by_alice(emulator)
    assert write(emulator, workspace_id) is None
    assert emulator.workspace(workspace_id)["jobs"][0]["definition"]["description"] == "edited"


def node(kind: str, **properties: str) -> dict:
    return {"name": "n", "type": kind, "properties": [{"name": k, "value": v} for k, v in properties.items()]}


NEEDS = [
    ({"nodes": [node("DWSSQL", connectionName="仓库", scriptName="s")]}, {("connections", "仓库")}),
    ({"nodes": [node("DLISpark", clusterName="q")]}, {("dliQueues", "q")}),
    ({"nodes": [node("MRSSpark", clusterName="mrs")]}, set()),
    ({"schedule": {"type": "EVENT", "event": {"eventType": "DIS", "channel": "点击"}}}, {("disStreams", "点击")}),
    ({"nodes": [node("Dummy", graphName="g")]}, {("gesGraphs", "g")}),
]


@pytest.mark.parametrize(("job", "needed"), NEEDS)
def test_what_a_job_needs_in_the_workspace(job, needed):
    assert set(service.needs(Kind.JOB, job)) == needed


def test_an_import_replaces_the_names_its_resources_list_names():
    job = {"nodes": [node("DWSSQL", connectionName="旧", scriptName="旧")]}
    replaced = service.replaced(Kind.JOB, job, {"connections": {"旧": "新"}})
    assert [p["value"] for p in replaced["nodes"][0]["properties"]] == ["新", "旧"]  # the script keeps its name
    assert job["nodes"][0]["properties"][0]["value"] == "旧"


def test_an_export_with_dependencies_takes_the_scripts_and_resources_named():
    job = {"nodes": [node("DLISpark", scriptName="汇总", resourceName="lib", clusterName="q")]}
    assert service.named_objects(job) == {(Kind.SCRIPT, "汇总"), (Kind.RESOURCE, "lib")}
