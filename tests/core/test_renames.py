"""core/renames.py: a job only in the repo and a job only in the workspace are one renamed job
only on evidence (git, or renamed_from: in the job file); the same definition under another name is
a lookalike, shown as a hint and never executed."""

from __future__ import annotations

import pytest

from jobsync.core.model import Kind, ObjectKey, Spec
from jobsync.core.renames import find_renames, keys_involved, lookalikes
from jobsync.core.snapshot import RemoteObject, Snapshot


def body(name: str, description: str = "", depends: tuple[str, ...] = ()) -> dict:
    cron = {"expression": "0 0 2 * * ?", **({"dependJobs": {"jobs": list(depends)}} if depends else {})}
    return {"name": name, "description": description, "nodes": [], "schedule": {"type": "CRON", "cron": cron}}


def repo(*bodies: dict) -> dict[ObjectKey, Spec]:
    return {ObjectKey(Kind.JOB, b["name"]): Spec(ObjectKey(Kind.JOB, b["name"]), b) for b in bodies}


def workspace(*bodies: dict) -> Snapshot:
    return Snapshot(
        objects={ObjectKey(Kind.JOB, b["name"]): RemoteObject(ObjectKey(Kind.JOB, b["name"]), b) for b in bodies}
    )


# (case, repo bodies, workspace bodies, hints, new -> old found)
CASES = [
    ("same definition, new name: no evidence", [body("日报_新")], [body("日报")], {}, {}),
    ("same definition, git says so", [body("日报_新")], [body("日报")], {"日报": "日报_新"}, {"日报_新": "日报"}),
    ("different definitions", [body("b", "changed")], [body("a")], {}, {}),
    ("git says so, though changed", [body("b", "changed")], [body("a")], {"a": "b"}, {"b": "a"}),
    ("a hint for names not in play", [body("b")], [body("a"), body("b")], {"a": "b"}, {}),
    ("two candidates: ambiguous", [body("b")], [body("a1"), body("a2")], {}, {}),
    ("nothing new", [body("a")], [body("a")], {}, {}),
]


@pytest.mark.parametrize(("case", "desired", "remote", "hints", "found"), CASES, ids=[c[0] for c in CASES])
def test_find_renames(case, desired, remote, hints, found):
    renames = find_renames(repo(*desired), workspace(*remote), hints)
    assert {new: old for new, (old, _) in renames.items()} == found
    for _, why in renames.values():
        assert "versions and run history" in why


def test_a_narrowed_plan_takes_in_the_old_name_and_its_dependants():
    snapshot = workspace(body("a"), body("child", depends=("a",)), body("other"))
    renames = find_renames(repo(body("b")), snapshot, {"a": "b"})
    assert keys_involved(renames, snapshot) == {ObjectKey(Kind.JOB, "a"), ObjectKey(Kind.JOB, "child")}


def test_a_lookalike_is_found_but_not_renamed():
    snapshot = workspace(body("console_a"))
    desired = repo(body("new_job"))
    assert find_renames(desired, snapshot, {}) == {}
    assert lookalikes(desired, snapshot, {}) == {"new_job": "console_a"}
