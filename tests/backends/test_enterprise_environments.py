"""The dataarts backend on an enterprise-mode workspace of the emulator: the mode, the two
environments, and the pending items a submit leaves (reference §11.1, §11.2)."""

from __future__ import annotations

import uuid
from typing import Any

from support import environment, job_body

from jobsync.core.model import Kind, ObjectKey


def base_document(**changes: Any) -> dict[str, Any]:
    return environment(**changes)


def hive_job(**changes: Any) -> dict[str, Any]:
    return job_body("myJob", **changes)


def workspace_pair(emulator, document):
    workspace_id = uuid.uuid4().hex[:8]
    emulator.set_workspace(workspace_id, document)
    return workspace_id


def test_mode_comes_from_the_workspace_show_api(emulator):
    enterprise = workspace_pair(emulator, base_document(mode="enterprise"))
    simple = workspace_pair(emulator, base_document())
    opened = [
        emulator.dataarts_workspace(enterprise, instance_id="i-1"),
        emulator.dataarts_workspace(simple, instance_id="i-1"),
        emulator.dataarts_workspace(enterprise),  # no instance_id: jobsync cannot tell
    ]
    try:
        assert [workspace.mode() for workspace in opened] == ["enterprise", "simple", "simple"]
    finally:
        for workspace in opened:
            workspace.close()


def test_a_submit_in_development_is_a_pending_item_and_production_is_untouched(emulator):
    workspace_id = workspace_pair(emulator, base_document(mode="enterprise"))
    develop = emulator.dataarts_workspace(workspace_id, instance_id="i-1")
    production = develop.production()
    try:
        develop.write(Kind.JOB, [hive_job()], user="analyst", message="first")
        develop.write(Kind.JOB, [hive_job(logPath="obs://b/")], user="analyst", message="second")
        items = develop.releases.pending_items()
        seen_in_production = production.snapshot().objects
        seen_in_development = develop.snapshot().objects
    finally:
        production.close()
        develop.close()

    assert [(i["item_name"], i["task_type"], i["update_type"], i["pending_version"]) for i in items] == [
        ("myJob", 1, 1, 2)
    ]
    assert ObjectKey(Kind.JOB, "myJob") in seen_in_development
    assert ObjectKey(Kind.JOB, "myJob") not in seen_in_production
    assert "(production)" in production.label


def test_each_backend_declares_what_it_can_do(emulator, tmp_path):
    from jobsync.backends.local import LocalWorkspace

    enterprise = emulator.dataarts_workspace(
        workspace_pair(emulator, base_document(mode="enterprise")), instance_id="i"
    )
    simple = emulator.dataarts_workspace(workspace_pair(emulator, base_document()), instance_id="i")
    local = LocalWorkspace(tmp_path / "状态" / "dev.json")
    try:
        declared = [(w.enterprise(), w.acting_user(), w.state_path()) for w in (enterprise, simple, local)]
    finally:
        enterprise.close()
        simple.close()
    assert declared == [
        (enterprise, "the owner of the DataArts credentials", None),
        (None, "the owner of the DataArts credentials", None),
        (None, None, tmp_path / "状态" / "dev.json"),
    ]
