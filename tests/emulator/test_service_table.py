"""The emulator, as served over its socket, answers from its own table of the service's
documented behaviour (emulator/service.py): change an entry and the answer changes, with no
planner code involved."""

from __future__ import annotations

import uuid

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
