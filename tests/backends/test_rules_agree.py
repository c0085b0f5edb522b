"""The plan and the workspace document apply one set of rules (core/rules.py): for every rule,
the plan blocks a change exactly when the document (the local backend, and the emulator that
wraps it) refuses the write, with the rule's code."""

from __future__ import annotations

import copy
from typing import Any

import pytest
from support import environment, job_body, remote_job

from jobsync.backends.document import WorkspaceDocument
from jobsync.core.model import Kind, ObjectKey, Spec
from jobsync.core.plan import Action, PlanSettings
from jobsync.core.planner import compute_plan
from jobsync.core.policies import Policies
from jobsync.core.rules import DLF_OF_RULE, RULE_OF_DLF
from jobsync.errors import RuleError

CHANGED = {"basicConfig": {"priority": 1}}
SQL_ON_DWS = {"name": "q", "type": "DWSSQL", "properties": [{"name": "connectionName", "value": "dws_conn"}]}
SQL_ON_MISSING = {"name": "q", "type": "DWSSQL", "properties": [{"name": "connectionName", "value": "nowhere"}]}

# (case, user, document changes, remote job fields, desired extra fields, rule code or None)
CASES: list[tuple[str, str, dict[str, Any], dict[str, Any], dict[str, Any], str | None]] = [
    ("soft lock held by another", "jobsync", {}, {"locked_by": "alice"}, CHANGED, None),
    ("hard lock held by another", "jobsync", {"lock_policy": "hard"}, {"locked_by": "alice"}, CHANGED, "LOCKED"),
    ("hard lock, admin applies", "admin", {"lock_policy": "hard"}, {"locked_by": "alice"}, CHANGED, None),
    ("hard lock held by the user", "alice", {"lock_policy": "hard"}, {"locked_by": "alice"}, CHANGED, None),
    ("job is scheduling", "jobsync", {}, {"status": "SCHEDULING"}, CHANGED, "JOB_RUNNING"),
    ("locked tag on the workspace's job", "jobsync", {}, {"tags": ["frozen"]}, CHANGED, "LOCKED_TAG"),
    ("locked tag declared", "jobsync", {}, {}, {"basicConfig": {"tags": ["frozen"]}}, "LOCKED_TAG"),
    ("unlocked tag declared", "jobsync", {}, {}, {"basicConfig": {"tags": ["finance"]}}, None),
    ("connection exists", "jobsync", {}, {}, {"nodes": [SQL_ON_DWS]}, None),
    ("connection missing", "jobsync", {}, {}, {"nodes": [SQL_ON_MISSING]}, "MISSING_REFERENCE"),
]


@pytest.mark.parametrize(("case", "user", "document", "remote", "desired", "code"), CASES, ids=[c[0] for c in CASES])
def test_plan_blocks_exactly_what_the_document_refuses(case, user, document, remote, desired, code):
    current = job_body("etl")
    data = environment(jobs=[remote_job(current, **remote)], **document)
    workspace = WorkspaceDocument(copy.deepcopy(data))
    wanted = {**current, **desired}
    key = ObjectKey(Kind.JOB, "etl")
    settings = PlanSettings(workspace="dev", user=user, policies=Policies())

    plan = compute_plan({key: Spec(key, wanted)}, workspace.snapshot(), settings)
    (change,) = plan.changes
    assert (change.action is Action.BLOCKED) == (code is not None), change.reason

    if code is None:
        workspace.save(Kind.JOB, wanted, user=user)
        assert workspace.entry(Kind.JOB, "etl")["definition"] == wanted
    else:
        with pytest.raises(RuleError) as refused:
            workspace.save(Kind.JOB, wanted, user=user)
        assert refused.value.code == code


def test_the_service_codes_read_back_as_the_rules_they_were_made_from():
    assert {rule: RULE_OF_DLF[dlf] for rule, dlf in DLF_OF_RULE.items()} == {rule: rule for rule in DLF_OF_RULE}
