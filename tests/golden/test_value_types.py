"""The text and Markdown plans show what will be sent, types included. For every pair
of distinct values (one or more of each JSON type, and strings that read like other values),
the two sides of a change print differently, and when their JSON types differ both sides are
in their JSON spelling (`2 -> "2"`)."""

from __future__ import annotations

import itertools
import json

import pytest
from support import job_body, remote_job

from jobsync.core.mergepatch import same
from jobsync.core.model import Kind
from jobsync.render import markdown, text
from jobsync.render.values import json_type

VALUES = [
    None,
    True,
    False,
    0,
    1,
    2,
    1.0,
    2.0,
    -0.5,
    "",
    "2",
    "0",
    "1.0",
    "true",
    "null",
    "[]",
    "x",
    "张三",
    [],
    [2],
    {},
]
VALUES += [{"a": 2}, {"a": "2"}, ["2"]]
PAIRS = [(a, b) for a, b in itertools.permutations(VALUES, 2) if not same(a, b)]


def _change(before, after) -> dict:
    return {
        "kind": "job",
        "name": "etl",
        "directory": "/",
        "action": "update",
        "reason": "",
        "diff": [{"path": "basicConfig.taskPriority", "change": "changed", "before": before, "after": after}],
    }


def _sides(lines: list[str], style: str) -> tuple[str, str]:
    if style == "text":
        [line] = [line for line in lines if "basicConfig.taskPriority:" in line]
        before, after = line.split("basicConfig.taskPriority: ", 1)[1].split(" -> ")
        return before, after
    [before] = [line for line in lines if line.startswith("- basicConfig.taskPriority: ")]
    [after] = [line for line in lines if line.startswith("+ basicConfig.taskPriority: ")]
    return before.split(": ", 1)[1], after.split(": ", 1)[1]


@pytest.mark.parametrize("style", ["text", "markdown"])
def test_every_pair_of_distinct_values_prints_differently_and_a_type_change_in_json(style):
    for before, after in PAIRS:
        change = _change(before, after)
        lines = text.change_lines(change) if style == "text" else markdown.section(change).splitlines()
        shown = _sides(lines, style)

        assert shown[0] != shown[1], (before, after, shown)
        if json_type(before) != json_type(after):
            assert shown == (json.dumps(before, ensure_ascii=False), json.dumps(after, ensure_ascii=False))


def test_taskpriority_2_to_the_string_2_shows_the_quotes_in_text_and_markdown(scenario):
    body = job_body("etl_任务", basicConfig={"taskPriority": 2})
    scenario.seed({**scenario.document(), "jobs": [remote_job(body)]})
    scenario.put(Kind.JOB, job_body("etl_任务", basicConfig={"taskPriority": "2"}))
    scenario.commit()

    plain = scenario.run("plan", "-w", "dev")
    marked = scenario.run("plan", "-w", "dev", "--format", "markdown")

    assert '~ basicConfig.taskPriority: 2 -> "2"' in plain.stdout, plain.stdout
    assert '- basicConfig.taskPriority: 2\n+ basicConfig.taskPriority: "2"' in marked.stdout, marked.stdout
