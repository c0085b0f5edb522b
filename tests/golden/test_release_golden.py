"""Golden files for the plan of an enterprise-mode workspace (format_version 1.1 `release`).

The plan is built in memory (the enterprise workspace needs the emulator; tests/functional/
test_enterprise.py drives that end to end); this pins how its release section renders.
Regenerate with `python -m pytest tests/golden --update-goldens` and review the diff.
"""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import pytest

from jobsync.core.model import Kind, ObjectKey
from jobsync.core.plan import Action, Change, Plan, PlanSettings
from jobsync.render import jsonout, markdown, text
from jobsync.render.document import plan_to_document
from jobsync.repo.schemas import schema_file

CASE = Path(__file__).parent / "enterprise_release"
RENDER = {"plan.txt": text.render, "plan.md": markdown.render, "plan.json": jsonout.render}


def enterprise_plan() -> Plan:
    settings = PlanSettings(workspace="dev", user="jobsync", backend="dataarts cn-north-4/ws-1 (production)")
    changes = (
        Change(
            key=ObjectKey(Kind.JOB, "daily_sales"),
            action=Action.CREATE,
            reason="new job: 1 node(s) (Dummy), CRON 0 0 2 * * ?",
            desired={"name": "daily_sales"},
            after_fingerprint="0123456789abcdef",
        ),
    )
    release = {
        "mode": "enterprise",
        "actual": "production",
        "target": "development",
        "approvers": ["dave", "erin"],
        "startup_mode": "keep",
        "package_name": "jobsync dev 1a2b3c4d5e6f (PR #12)",
        "tasks": 1,
        "packages": 1,
    }
    return Plan(settings=settings, changes=changes, repo_commit="1a2b3c4d5e6f" * 3, release=release)


@pytest.mark.parametrize("name", sorted(RENDER))
def test_an_enterprise_plan_renders_as_the_golden_file(name, request):
    actual = RENDER[name](plan_to_document(enterprise_plan()))
    expected = CASE / name
    if request.config.getoption("--update-goldens"):
        expected.write_text(actual)
    assert actual == expected.read_text(), "run `python -m pytest tests/golden --update-goldens` and review"


def test_the_enterprise_golden_plan_matches_the_committed_schema():
    schema = json.loads(schema_file("plan").read_text())
    document = json.loads((CASE / "plan.json").read_text())
    jsonschema.validate(document, schema)
    assert document["format_version"] == "1.1" and document["release"]["approvers"] == ["dave", "erin"]
