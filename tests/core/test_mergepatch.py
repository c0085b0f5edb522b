"""core/mergepatch.py: RFC 7386 and the patch form with nodes and properties keyed by name."""

from __future__ import annotations

import pytest

from jobsync.core import mergepatch

# The examples of RFC 7386 appendix A: (target, patch, result)
RFC_EXAMPLES = [
    ({"a": "b"}, {"a": "c"}, {"a": "c"}),
    ({"a": "b"}, {"b": "c"}, {"a": "b", "b": "c"}),
    ({"a": "b"}, {"a": None}, {}),
    ({"a": "b", "b": "c"}, {"a": None}, {"b": "c"}),
    ({"a": ["b"]}, {"a": "c"}, {"a": "c"}),
    ({"a": "c"}, {"a": ["b"]}, {"a": ["b"]}),
    ({"a": {"b": "c"}}, {"a": {"b": "d", "c": None}}, {"a": {"b": "d"}}),
    ({"a": [{"b": "c"}]}, {"a": [1]}, {"a": [1]}),
    (["a", "b"], ["c", "d"], ["c", "d"]),
    ({"a": "b"}, ["c"], ["c"]),
    ({"a": "foo"}, None, None),
    ({"a": "foo"}, "bar", "bar"),
    ({"e": None}, {"a": 1}, {"e": None, "a": 1}),
    ([1, 2], {"a": "b", "c": None}, {"a": "b"}),
    ({}, {"a": {"bb": {"ccc": None}}}, {"a": {"bb": {}}}),
]


@pytest.mark.parametrize(("target", "patch", "result"), RFC_EXAMPLES)
def test_apply_follows_rfc_7386(target, patch, result):
    assert mergepatch.apply(target, patch) == result


def test_diff_is_the_patch_that_turns_a_into_b_type_exactly():
    a = {"x": 1, "y": {"z": True, "w": "keep"}, "gone": "yes"}
    b = {"x": 1.0, "y": {"z": 1, "w": "keep"}, "new": [1]}
    patch = mergepatch.diff(a, b)
    assert patch == {"x": 1.0, "y": {"z": 1}, "gone": None, "new": [1]}
    assert type(patch["x"]) is float and type(patch["y"]["z"]) is int
    assert mergepatch.same(mergepatch.apply(a, patch), b)


def test_a_null_in_the_target_cannot_be_expressed():
    with pytest.raises(mergepatch.UnpatchableError, match="description"):
        mergepatch.diff({"description": "x"}, {"description": None})


def test_nodes_and_properties_are_patched_by_name():
    body = {
        "name": "j",
        "nodes": [
            {"name": "a", "type": "Dummy", "properties": [{"name": "p", "value": "1"}, {"name": "q", "value": "2"}]},
            {"name": "b", "type": "Dummy", "properties": []},
        ],
    }
    patched = mergepatch.patch_body(body, {"nodes": {"a": {"retryTimes": 3, "properties": {"q": "9"}}, "b": None}})
    assert patched["nodes"] == [
        {
            "name": "a",
            "type": "Dummy",
            "properties": [{"name": "p", "value": "1"}, {"name": "q", "value": "9"}],
            "retryTimes": 3,
        }
    ]
    assert mergepatch.body_diff(body, patched) == {
        "nodes": {"a": {"retryTimes": 3, "properties": {"q": "9"}}, "b": None}
    }
