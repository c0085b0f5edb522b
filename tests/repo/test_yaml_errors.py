"""What a YAML mistake says, pinned: the line to fix and plain words (repo/yamlio.py
syntax_problem, error formatting only), whatever parser the load path uses."""

from __future__ import annotations

import pytest
import yaml

from jobsync.errors import Problem
from jobsync.repo import schemas, yamlio


def problem_of(text: str) -> Problem:
    with pytest.raises(yaml.YAMLError) as caught:
        yamlio.load(text)
    return yamlio.syntax_problem(caught.value, "jobs/日报.yaml", text)


@pytest.mark.parametrize(
    ("text", "line", "words"),
    [
        ("name: a\nbasicConfig:\n  owner: [me\n  priority: 0\n", 3, "the '[' opened here is never closed"),
        ("name: a\nb: {x: 1\nc: 2\n", 2, "the '{' opened here is never closed"),
        ('name: a\nsql: "select 1\nc: 2\n', 2, "the quoted value that starts here never ends"),
        ("name: a\nbasicConfig:\n\towner: me\n", 3, "a tab character (column 1); YAML indents with spaces only"),
        ("a:\n  b: 1\n   c: 2\n", 3, "mapping values are not allowed in this context"),
    ],
)
def test_a_syntax_error_is_on_the_line_to_fix_in_plain_words(text, line, words):
    found = problem_of(text)

    assert found.file == "jobs/日报.yaml"
    assert found.line == line
    assert found.message.startswith("not valid YAML: ")
    assert words in found.message
    assert "cannot start any token" not in found.message


def test_an_unknown_key_with_no_near_miss_lists_the_keys_allowed():
    text = "backend: {type: local, path: x.json}\nzzz: 1\n"

    (found,) = schemas.check("workspace", yamlio.load(text), "workspaces/dev/workspace.yaml", text)

    assert found.line == 2 and found.field == "zzz"
    assert found.message.startswith("unknown key 'zzz'; the keys allowed here: github, local, mappings, policies")


def test_a_missing_key_names_the_mapping_on_its_line_once():
    text = "backend:\n  path: x.json\n"

    found = schemas.check("workspace", yamlio.load(text), "workspaces/dev/workspace.yaml", text)

    assert [(p.line, p.field, p.message) for p in found] == [
        (1, "backend", "`backend` has no `type`, which it needs: add `type:`")
    ]
