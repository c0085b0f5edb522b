"""A plan file reads back as the typed SavedPlan it was written from (plan -> file -> plan)."""

from __future__ import annotations

import json
import tempfile
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from jobsync.core.model import Kind, ObjectKey
from jobsync.ops.planfile import Rename, SavedPlan, read, version_numbers

NAMES = st.text(alphabet=st.sampled_from("ab_张三1 -"), min_size=1, max_size=8).map(str.strip).filter(bool)
VALUES = st.recursive(
    st.none() | st.booleans() | st.integers(-5, 5) | st.floats(allow_nan=False, allow_infinity=False) | NAMES,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(NAMES, inner, max_size=3),
    max_leaves=6,
)
ACTIONS = ["create", "update", "skip", "delete", "unmanaged", "blocked", "rename"]


@st.composite
def documents(draw):
    names = draw(st.lists(NAMES, min_size=0, max_size=4, unique=True))
    changes = []
    for name in names:
        action = draw(st.sampled_from(ACTIONS))
        change = {
            "kind": "job",
            "name": name,
            "directory": draw(NAMES),
            "action": action,
            "reason": draw(NAMES),
            "diff": [{"path": "description", "change": "changed", "before": draw(VALUES), "after": draw(VALUES)}],
            "before_fingerprint": draw(st.none() | NAMES),
            "after_fingerprint": draw(st.none() | NAMES),
        }
        if action == "rename":
            change["renamed_from"] = f"{name}_old"
        changes.append(change)
    summary = {key: draw(st.integers(0, 3)) for key in ("create", "update", "skip", "noop", "delete", "unmanaged")}
    summary["blocked"] = draw(st.integers(0, 3))
    document = {
        "format_version": "1.1",
        "workspace": "dev",
        "backend": draw(NAMES),
        "user": draw(NAMES),
        "policies": {"duplicate_name": "fail", "lock": "fail", "running_jobs": "fail", "prune": draw(st.booleans())},
        "repo": {"commit": draw(st.none() | st.just("a" * 40)), "dirty": draw(st.booleans())},
        "source": None,
        "selection": draw(st.none() | st.just([f"job {n}" for n in names])),
        "summary": summary,
        "changes": changes,
        "impact": {},
    }
    if draw(st.booleans()):
        document["release"] = {
            "mode": "enterprise",
            "actual": "production",
            "target": "development",
            "package_name": draw(NAMES),
            "startup_mode": "start",
            "approvers": draw(st.lists(NAMES, max_size=2)),
            "tasks": draw(st.integers(0, 5)),
            "packages": 1,
        }
    return document


@settings(derandomize=True, max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(documents())
def test_a_plan_document_reads_back_as_the_plan_it_was(document):
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "plan.json"
        path.write_text(json.dumps(document, ensure_ascii=False), encoding="utf-8")

        saved = read(path, workspace="dev")
        again = SavedPlan.from_document(saved.to_document(), path)

    assert json.dumps(saved.to_document(), sort_keys=True) == json.dumps(document, sort_keys=True)
    assert again == saved
    names = [c["name"] for c in document["changes"]]
    expected = None if document["selection"] is None else frozenset(ObjectKey(Kind.JOB, n) for n in names)
    assert saved.selection == expected
    assert saved.renames == tuple(
        Rename(f"{c['name']}_old", c["name"]) for c in document["changes"] if c["action"] == "rename"
    )
    assert (saved.release is None) == ("release" not in document)
    assert saved.backend == document["backend"] and saved.repo_dirty is document["repo"]["dirty"]


def test_format_versions_compare_as_numbers():
    assert version_numbers("1.10") > version_numbers("1.9") > version_numbers("1.1")
    assert version_numbers("1.1a") is None and version_numbers("") is None
