"""core/diff.py: every changed field of two compared bodies, by a path a person can read,
type-exact, in one order."""

from __future__ import annotations

import pytest

from jobsync.core.diff import field_changes

# (case, before, after, (path, change, before, after) rows)
CASES = [
    ("nothing", {"a": 1}, {"a": 1}, []),
    ("a value", {"a": 1}, {"a": 2}, [("a", "changed", 1, 2)]),
    ("a type", {"a": 1}, {"a": 1.0}, [("a", "changed", 1, 1.0)]),
    ("true for 1", {"a": 1}, {"a": True}, [("a", "changed", 1, True)]),
    (
        "added and removed",
        {"a": 1, "k": 0},
        {"b": "二", "k": 0},
        [("a", "removed", 1, None), ("b", "added", None, "二")],
    ),
    (
        "a node property by name",
        {"nodes": {"抽取": {"properties": {"database": "a"}}}},
        {"nodes": {"抽取": {"properties": {"database": "b"}}}},
        [("nodes.抽取.properties.database", "changed", "a", "b")],
    ),
    ("a list item", {"tags": ["a", "b"]}, {"tags": ["a", "c"]}, [("tags[1]", "changed", "b", "c")]),
]


@pytest.mark.parametrize(("case", "before", "after", "rows"), CASES, ids=[c[0] for c in CASES])
def test_field_changes(case, before, after, rows):
    found = field_changes(before, after)
    assert [(c.path, c.change, c.before, c.after) for c in found] == rows
    assert [type(c.after) for c in found] == [type(row[3]) for row in rows]
    assert field_changes(before, after) == found  # the same two bodies, the same list
