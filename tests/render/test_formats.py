"""render/: the one plan document in each output format. The three views read the same
document, so they agree on what the plan does; JSON keeps non-ASCII names as they are."""

from __future__ import annotations

import json

import pytest

from jobsync.core.model import Kind, ObjectKey
from jobsync.core.plan import Action, Change, Plan, PlanSettings
from jobsync.render import jsonout, markdown, text
from jobsync.render.document import plan_to_document
from jobsync.render.formats import Format, render_plan

PLAN = Plan(
    settings=PlanSettings(workspace="dev", user="分析师"),
    changes=(
        Change(ObjectKey(Kind.JOB, "日报"), Action.CREATE, desired={"name": "日报"}),
        Change(ObjectKey(Kind.SCRIPT, "汇总"), Action.DELETE, before={"name": "汇总"}),
        Change(ObjectKey(Kind.JOB, "etl"), Action.BLOCKED, reason="locked by alice", intended=Action.UPDATE),
    ),
)
DOCUMENT = plan_to_document(PLAN)


@pytest.mark.parametrize(
    ("fmt", "renderer"),
    [(Format.json, jsonout.render), (Format.markdown, markdown.render), (Format.text, text.render)],
)
def test_each_format_is_its_renderer(fmt, renderer):
    assert render_plan(DOCUMENT, fmt) == renderer(DOCUMENT)


def test_json_is_the_document_with_names_as_written():
    shown = render_plan(DOCUMENT, Format.json)
    assert json.loads(shown) == DOCUMENT
    assert '"name": "日报"' in shown and "\\u" not in shown
    assert shown.endswith("}\n")


@pytest.mark.parametrize("fmt", [Format.text, Format.markdown])
def test_the_views_name_every_change_and_the_summary(fmt):
    shown = render_plan(DOCUMENT, fmt)
    for name in ("日报", "汇总", "etl", "locked by alice"):
        assert name in shown
    assert "1 to create" in shown and "1 to delete" in shown


def test_colour_is_a_last_decoration_of_text_only():
    plain, coloured = render_plan(DOCUMENT, Format.text), render_plan(DOCUMENT, Format.text, colour=True)
    assert "\x1b[" in coloured and "\x1b[" not in plain
    assert render_plan(DOCUMENT, Format.markdown, colour=True) == render_plan(DOCUMENT, Format.markdown)


def test_format_values_are_the_cli_choices():
    assert [fmt.value for fmt in Format] == ["text", "markdown", "json"]
