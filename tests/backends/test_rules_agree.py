"""The planner's rules against two witnesses: the local workspace document, which applies the
planner's own rules (core/rules.py), and the emulator, which decides from its own table of the
service's documented behaviour (emulator/service.py). For every rule case the plan blocks a
change exactly when the write is refused; and because the emulator shares no rule code with
the planner, a rule changed on either side alone makes the comparison fail (the mutation
tests at the end)."""

from __future__ import annotations

import copy
import uuid
from typing import Any, NamedTuple

import pytest
from support import environment, job_body, remote_job

from jobsync.backends.document import WorkspaceDocument
from jobsync.core import rules
from jobsync.core.model import Kind, ObjectKey, Spec
from jobsync.core.plan import Action, PlanSettings
from jobsync.core.planner import compute_plan
from jobsync.core.policies import Policies
from jobsync.core.rules import DLF_OF_RULE, RULE_OF_DLF, LockRule
from jobsync.emulator import service
from jobsync.emulator.service import LockAnswer, ServiceDocument
from jobsync.errors import RuleError

CHANGED = {"basicConfig": {"priority": 1}}
SQL_ON_DWS = {"name": "q", "type": "DWSSQL", "properties": [{"name": "connectionName", "value": "dws_conn"}]}
SQL_ON_MISSING = {"name": "q", "type": "DWSSQL", "properties": [{"name": "connectionName", "value": "nowhere"}]}
SPARK_ON_MISSING = {"name": "s", "type": "DLISpark", "properties": [{"name": "clusterName", "value": "队列_无"}]}
STREAM_EVENT = {"type": "EVENT", "event": {"eventType": "DIS", "channel": "clicks"}}
MISSING_STREAM_EVENT = {"type": "EVENT", "event": {"eventType": "DIS", "channel": "点击_无"}}


class Case(NamedTuple):
    name: str
    user: str
    document: dict[str, Any]  # workspace document settings
    remote: dict[str, Any]  # the workspace's job
    desired: dict[str, Any]  # what the repo changes in it
    code: str | None  # the rule the service refuses the write with (docs/dataarts-api.md)


CASES = [
    Case("soft lock held by another", "jobsync", {}, {"locked_by": "alice"}, CHANGED, None),
    Case("hard lock held by another", "jobsync", {"lock_policy": "hard"}, {"locked_by": "alice"}, CHANGED, "LOCKED"),
    Case("hard lock, admin applies", "admin", {"lock_policy": "hard"}, {"locked_by": "alice"}, CHANGED, None),
    Case("hard lock held by the user", "alice", {"lock_policy": "hard"}, {"locked_by": "alice"}, CHANGED, None),
    Case("job is scheduling", "jobsync", {}, {"status": "SCHEDULING"}, CHANGED, "JOB_RUNNING"),
    Case("locked tag on the workspace's job", "jobsync", {}, {"tags": ["frozen"]}, CHANGED, "LOCKED_TAG"),
    Case("locked tag declared", "jobsync", {}, {}, {"basicConfig": {"tags": ["frozen"]}}, "LOCKED_TAG"),
    Case("unlocked tag declared", "jobsync", {}, {}, {"basicConfig": {"tags": ["finance"]}}, None),
    Case("connection exists", "jobsync", {}, {}, {"nodes": [SQL_ON_DWS]}, None),
    Case("connection missing", "jobsync", {}, {}, {"nodes": [SQL_ON_MISSING]}, "MISSING_REFERENCE"),
    Case("DLI queue of a Spark node missing", "jobsync", {}, {}, {"nodes": [SPARK_ON_MISSING]}, "MISSING_REFERENCE"),
    Case("DIS stream of an event schedule exists", "jobsync", {}, {}, {"schedule": STREAM_EVENT}, None),
    Case(
        "DIS stream of an event schedule missing",
        "jobsync",
        {},
        {},
        {"schedule": MISSING_STREAM_EVENT},
        "MISSING_REFERENCE",
    ),
]
KEY = ObjectKey(Kind.JOB, "etl")


def document_of(case: Case) -> dict[str, Any]:
    return copy.deepcopy(environment(jobs=[remote_job(job_body("etl"), **case.remote)], **case.document))


def wanted(case: Case) -> dict[str, Any]:
    return {**job_body("etl"), **case.desired}


def predicted_blocked(case: Case) -> bool:
    """The planner's prediction: is the change blocked?"""
    snapshot = WorkspaceDocument(document_of(case)).snapshot()
    settings = PlanSettings(workspace="dev", user=case.user, policies=Policies())
    (change,) = compute_plan({KEY: Spec(KEY, wanted(case))}, snapshot, settings).changes
    return change.action is Action.BLOCKED


def answer(document: WorkspaceDocument, case: Case) -> str | None:
    """The witness's answer to the write: None (accepted) or the rule it refused it with."""
    try:
        document.save(Kind.JOB, wanted(case), user=case.user)
    except RuleError as refused:
        return refused.code
    assert document.entry(Kind.JOB, "etl")["definition"] == wanted(case)
    return None


def disagreements() -> list[str]:
    """The cases where the planner's prediction and the emulator's answer differ."""
    return [
        case.name
        for case in CASES
        if predicted_blocked(case) != (answer(ServiceDocument(document_of(case)), case) is not None)
    ]


def test_the_planner_predicts_every_answer_of_the_emulator():
    assert disagreements() == []


SERVED_STATE = {
    "project_id": "0833a5737480d53b2f25c010dc1a7b88",
    "credentials": [
        {"ak": f"AK{user.upper()}RULES", "sk": f"sk-{user}-rules", "user": user}
        for user in ("jobsync", "admin", "alice")
    ],
    "workspaces": {},
}


def served_answer(emulator, case: Case) -> str | None:
    """The emulator's answer over its socket, to the dataarts backend writing as the case's user."""
    workspace_id = uuid.uuid4().hex[:8]
    emulator.set_workspace(workspace_id, document_of(case))
    workspace = emulator.dataarts_workspace(workspace_id, user=case.user)
    try:
        failure = workspace.write(Kind.JOB, [wanted(case)], user=case.user, message="rules")["etl"]
    finally:
        workspace.close()
    return None if failure is None else failure.code


def test_the_planner_predicts_every_answer_of_the_served_emulator(emulator_server, monkeypatch):
    emulator_server.reset(SERVED_STATE)
    answers = {case.name: served_answer(emulator_server, case) for case in CASES}
    assert answers == {case.name: case.code for case in CASES}
    assert [case.name for case in CASES if predicted_blocked(case) != (answers[case.name] is not None)] == []

    monkeypatch.setitem(service.LOCKS, "hard", LockAnswer(others_may_write=False, admins_may_write=False))
    (admin_case,) = [case for case in CASES if case.name == "hard lock, admin applies"]
    assert served_answer(emulator_server, admin_case) == "LOCKED"  # the served emulator follows its table
    assert not predicted_blocked(admin_case)  # and the comparison would fail


@pytest.mark.parametrize("case", CASES, ids=[case.name for case in CASES])
def test_the_emulator_answers_as_the_service_is_documented(case):
    assert answer(ServiceDocument(document_of(case)), case) == case.code


@pytest.mark.parametrize("case", CASES, ids=[case.name for case in CASES])
def test_the_local_document_refuses_what_the_plan_blocks(case):
    assert predicted_blocked(case) == (case.code is not None)
    assert answer(WorkspaceDocument(document_of(case)), case) == case.code


# (what is changed, in which table, to what; the cases that must then disagree)
MUTATIONS = [
    (rules, "LOCK_RULES", "hard", LockRule(others_refused=True, admins_exempt=False), ["hard lock, admin applies"]),
    (
        service,
        "LOCKS",
        "hard",
        LockAnswer(others_may_write=False, admins_may_write=False),
        ["hard lock, admin applies"],
    ),
    (rules, "LOCK_RULES", "soft", LockRule(others_refused=True, admins_exempt=True), ["soft lock held by another"]),
    (service, "LOCKS", "hard", LockAnswer(others_may_write=True, admins_may_write=True), ["hard lock held by another"]),
    (
        service,
        "NODE_PROPERTY_NEEDS",
        ("DLISpark", "clusterName"),
        None,
        ["DLI queue of a Spark node missing"],
    ),
]


@pytest.mark.parametrize(
    ("module", "table", "entry", "value", "expected"),
    MUTATIONS,
    ids=[f"{m.__name__.rsplit('.', 1)[-1]}.{t}[{e!r}]" for m, t, e, _, _ in MUTATIONS],
)
def test_a_rule_changed_on_one_side_only_makes_the_comparison_fail(monkeypatch, module, table, entry, value, expected):
    if value is None:
        monkeypatch.delitem(getattr(module, table), entry)
    else:
        monkeypatch.setitem(getattr(module, table), entry, value)
    assert disagreements() == expected


@pytest.mark.parametrize(
    ("module", "name", "value", "expected"),
    [
        (rules, "RUNNING_STATES", frozenset(), ["job is scheduling"]),
        (service, "BUSY_STATES", frozenset(), ["job is scheduling"]),
        (service, "LOCKED_TAG_REFUSED", False, ["locked tag on the workspace's job", "locked tag declared"]),
    ],
    ids=["planner ignores running jobs", "emulator ignores running jobs", "emulator ignores locked tags"],
)
def test_a_rule_switched_off_on_one_side_only_makes_the_comparison_fail(monkeypatch, module, name, value, expected):
    monkeypatch.setattr(module, name, value)
    assert disagreements() == expected


def test_the_service_codes_read_back_as_the_rules_they_were_made_from():
    assert {rule: RULE_OF_DLF[dlf] for rule, dlf in DLF_OF_RULE.items()} == {rule: rule for rule in DLF_OF_RULE}


def test_the_emulator_decides_with_no_rule_code_of_the_planner():
    """The emulator imports from core/rules.py only the table of DLF codes, the wire vocabulary
    the dataarts backend reads back, and nothing of the planner's reading of references; every
    decision is its own."""
    import ast
    from pathlib import Path

    import jobsync.emulator

    imported = {
        (node.module, alias.name)
        for path in Path(jobsync.emulator.__file__).parent.glob("*.py")
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8")))
        if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("jobsync.core")
        for alias in node.names
    }
    assert {name for module, name in imported if module == "jobsync.core.rules"} <= {
        "DLF_OF_RULE",
        "NOT_FOUND_DLF",
        "UNKNOWN_RULE_DLF",
    }
    planner_modules = {"jobsync.core.references", "jobsync.core.selection", "jobsync.core.renames"}
    assert {module for module, _ in imported} & planner_modules == set()
