"""field_changes gives DeepDiff only what differs, and reports exactly what DeepDiff reports on
the whole bodies (paths, kinds, values, types)."""

from __future__ import annotations

import json

from hypothesis import example, given, settings
from hypothesis import strategies as st

from jobsync.core.diff import deepdiff_changes, field_changes

SCALARS = st.none() | st.booleans() | st.integers(-3, 3) | st.sampled_from([0.0, -0.0, 1.0, 1.5]) | st.text(max_size=3)
VALUES = st.recursive(
    SCALARS,
    lambda inner: st.lists(inner, max_size=5) | st.dictionaries(st.sampled_from("abcde"), inner, max_size=5),
    max_leaves=25,
)


@st.composite
def edited(draw: st.DrawFn, value: object) -> object:
    """`value` with a few of its parts replaced, removed or added: two bodies mostly the same."""
    if isinstance(value, dict):
        out = {key: draw(edited(item)) if draw(st.integers(0, 3)) else item for key, item in value.items()}
        if out and draw(st.integers(0, 4)) == 0:
            out.pop(draw(st.sampled_from(sorted(out))))
        if draw(st.integers(0, 4)) == 0:
            out[draw(st.sampled_from("abcdef"))] = draw(VALUES)
        return out
    if isinstance(value, list):
        out = [draw(edited(item)) if draw(st.integers(0, 3)) == 0 else item for item in value]
        if draw(st.integers(0, 4)) == 0:
            out.insert(draw(st.integers(0, len(out))), draw(VALUES))
        if out and draw(st.integers(0, 4)) == 0:
            out.pop(draw(st.integers(0, len(out) - 1)))
        return out
    return draw(VALUES) if draw(st.booleans()) else value


@st.composite
def pairs(draw: st.DrawFn) -> tuple[dict, dict]:
    before = draw(st.dictionaries(st.sampled_from("abcdefgh"), VALUES, max_size=6))
    after = draw(edited(before)) if draw(st.integers(0, 4)) else draw(st.dictionaries(st.sampled_from("abc"), VALUES))
    return before, after


def shown(changes) -> list:
    return [json.dumps(change.to_dict(), sort_keys=True) + repr(type(change.before)) for change in changes]


@settings(max_examples=300, deadline=None, derandomize=True)
@given(pairs())
# A change reported above a pruned part once showed pruning's stand-in (0) for a shared null.
@example(({"a": None, "b": None, "c": None, "d": None}, {"a": None}))
def test_the_pruned_diff_is_the_whole_diff(pair):
    before, after = pair
    assert shown(field_changes(before, after)) == shown(deepdiff_changes(before, after))


def test_a_change_deep_in_a_list_of_nodes_is_reported_with_its_path_and_types():
    nodes = [{"name": f"n{i}", "retry": i, "properties": [{"name": "p", "value": "1"}]} for i in range(20)]
    before = {"name": "日报", "nodes": nodes, "schedule": {"cron": "0 0 2 * * ?"}}
    after = json.loads(json.dumps(before))
    after["nodes"][7]["retry"] = 7.0
    after["nodes"].append({"name": "n20"})

    changes = field_changes(before, after)

    assert shown(changes) == shown(deepdiff_changes(before, after))
    assert [(c.path, c.change, c.before, c.after) for c in changes] == [
        ("nodes[20]", "added", None, {"name": "n20"}),
        ("nodes[7].retry", "changed", 7, 7.0),
    ]
