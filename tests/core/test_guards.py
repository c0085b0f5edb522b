"""core/guards.py: a plan that deletes a whole kind, or more than policies.max_deletes, is
blocked until confirmed; other deletes pass."""

from __future__ import annotations

import pytest

from jobsync.core.guards import delete_limit, guard_deletes, mass_delete_reason
from jobsync.core.model import Kind, ObjectKey
from jobsync.core.plan import Action, Change, Plan, PlanSettings
from jobsync.core.policies import Policies


def keys(kind: Kind, count: int, prefix: str = "作业") -> list[ObjectKey]:
    return [ObjectKey(kind, f"{prefix}{n}") for n in range(count)]


def plan_of(deleting: list[ObjectKey], creating: list[ObjectKey] = (), max_deletes: int | None = None) -> Plan:
    changes = [Change(key, Action.DELETE) for key in deleting] + [Change(key, Action.CREATE) for key in creating]
    settings = PlanSettings(workspace="dev", user="u", policies=Policies(max_deletes=max_deletes))
    return Plan(settings=settings, changes=tuple(changes))


@pytest.mark.parametrize(
    ("max_deletes", "objects", "limit"),
    [(None, 0, 10), (None, 50, 10), (None, 55, 11), (None, 1000, 200), (3, 1000, 3), (0, 10, 0)],
)
def test_the_delete_limit(max_deletes, objects, limit):
    assert delete_limit(max_deletes, objects) == limit


JOBS_20 = keys(Kind.JOB, 20)
SCRIPTS_2 = keys(Kind.SCRIPT, 2, "脚本")

# (case, present, deleting, creating, max_deletes, words of the reason or None)
CASES = [
    ("no deletes", JOBS_20, [], [], None, None),
    ("a few of many", JOBS_20, JOBS_20[:3], [], None, None),
    ("every script", JOBS_20 + SCRIPTS_2, SCRIPTS_2, [], None, "this plan deletes all 2 script(s) in the workspace"),
    ("every script, one created again", JOBS_20 + SCRIPTS_2, SCRIPTS_2, keys(Kind.SCRIPT, 1, "新"), None, None),
    (
        "eleven of twenty",
        JOBS_20 + SCRIPTS_2,
        JOBS_20[:11],
        [],
        None,
        "deletes 11 objects, more than policies.max_deletes (10)",
    ),
    ("more than the set limit", JOBS_20, JOBS_20[:4], [], 3, "more than policies.max_deletes (3)"),
    ("up to the set limit", JOBS_20, JOBS_20[:3], [], 3, None),
]


@pytest.mark.parametrize(
    ("case", "present", "deleting", "creating", "max_deletes", "words"), CASES, ids=[c[0] for c in CASES]
)
def test_a_mass_delete_needs_a_confirmation(case, present, deleting, creating, max_deletes, words):
    plan = plan_of(deleting, creating, max_deletes)
    reason = mass_delete_reason(plan, present)
    assert (reason is None) == (words is None), reason
    guarded = guard_deletes(plan, present, allow=False)
    blocked = [c.key for c in guarded.changes if c.action is Action.BLOCKED]
    if words is None:
        assert guarded == plan
    else:
        assert words in reason and "--allow-mass-delete" in reason
        assert blocked == deleting
        assert {c.intended for c in guarded.changes if c.action is Action.BLOCKED} == {Action.DELETE}
    assert guard_deletes(plan, present, allow=True) == plan
