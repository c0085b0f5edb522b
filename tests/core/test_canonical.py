"""core/canonical.py and core/normalize.py: one type-exact canonical form; the only differences
it forgives are the service's own defaults, each declared once."""

from __future__ import annotations

import pytest

from jobsync.core.canonical import NORMALISATIONS, is_empty, send_form
from jobsync.core.model import Kind
from jobsync.core.normalize import canonical_text, normal_directory, same, strip

NODE = {"name": "n", "type": "Dummy"}
JOB = {"name": "日报", "nodes": [NODE], "schedule": {"type": "EXECUTE_ONCE"}}

# (case, kind, a, b, the same to the service?)
CASES = [
    ("processType BATCH is the default", Kind.JOB, JOB, {**JOB, "processType": "BATCH"}, True),
    ("an empty description is none", Kind.JOB, JOB, {**JOB, "description": ""}, True),
    ("directory spelt two ways", Kind.JOB, {**JOB, "directory": "/财务/"}, {**JOB, "directory": "财务"}, True),
    ("tags {} and [] and absent", Kind.JOB, {**JOB, "basicConfig": {"tags": {}}}, {**JOB, "basicConfig": {}}, True),
    ("node defaults", Kind.JOB, JOB, {**JOB, "nodes": [{**NODE, "retryTimes": 0, "failPolicy": "FAIL"}]}, True),
    (
        "node order counts (the service keeps the document's order)",
        Kind.JOB,
        {**JOB, "nodes": [NODE, {"name": "m", "type": "Dummy"}]},
        {**JOB, "nodes": [{"name": "m", "type": "Dummy"}, NODE]},
        False,
    ),
    ("server fields are not compared", Kind.JOB, JOB, {**JOB, "id": 7, "createTime": 1, "lastUpdateUser": "x"}, True),
    ("1 and 1.0 differ", Kind.JOB, {**JOB, "logPath": 1}, {**JOB, "logPath": 1.0}, False),
    ("1 and true differ", Kind.JOB, {**JOB, "logPath": 1}, {**JOB, "logPath": True}, False),
    ("1 and '1' differ", Kind.JOB, {**JOB, "logPath": 1}, {**JOB, "logPath": "1"}, False),
    ("a retry that is not the default", Kind.JOB, JOB, {**JOB, "nodes": [{**NODE, "retryTimes": 1}]}, False),
    (
        "script content None is no content",
        Kind.SCRIPT,
        {"name": "s", "type": "Shell"},
        {"name": "s", "type": "Shell", "content": None},
        True,
    ),
    (
        "script content '' is content",
        Kind.SCRIPT,
        {"name": "s", "type": "Shell"},
        {"name": "s", "type": "Shell", "content": ""},
        False,
    ),
    (
        "a variable's type defaults",
        Kind.VARIABLE,
        {"name": "v", "value": "1"},
        {"name": "v", "value": "1", "type": "variable"},
        True,
    ),
]


@pytest.mark.parametrize(("case", "kind", "a", "b", "equal"), CASES, ids=[c[0] for c in CASES])
def test_what_the_canonical_form_forgives(case, kind, a, b, equal):
    assert same(kind, a, b) is equal
    assert (canonical_text(kind, a) == canonical_text(kind, b)) is equal


def test_every_normalisation_cites_its_evidence():
    assert NORMALISATIONS
    assert [row.path for row in NORMALISATIONS if "§" not in row.evidence] == []


@pytest.mark.parametrize(
    ("value", "empty"), [([], True), ({}, True), (None, False), (0, False), (False, False), ([""], False)]
)
def test_empty_tags_are_type_exact(value, empty):
    assert is_empty(Kind.JOB, "basicConfig.tags", value) is empty


def test_apply_sends_the_required_defaults():
    assert send_form(Kind.JOB, JOB)["processType"] == "BATCH"
    assert send_form(Kind.JOB, {**JOB, "processType": "REAL_TIME"})["processType"] == "REAL_TIME"


@pytest.mark.parametrize(("value", "normal"), [(None, "/"), ("", "/"), ("/a/b/", "/a/b"), ("a//./b", "/a/b")])
def test_one_spelling_of_a_directory(value, normal):
    assert normal_directory(value) == normal


def test_strip_drops_server_fields_and_orders_keys():
    stored = strip(Kind.JOB, {"id": 1, "schedule": {}, "name": "j", "version": 3, "nodes": []})
    assert "id" not in stored and "version" not in stored
    assert next(iter(stored)) == "name"
