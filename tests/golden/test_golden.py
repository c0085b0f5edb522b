"""Golden tests: each case folder holds a repo, a workspace document and the expected plans.

    tests/golden/<case>/repo/...      the desired state (a GitOps repo)
    tests/golden/<case>/remote.json   the local workspace document it is planned against
    tests/golden/<case>/plan.txt|plan.md|plan.json   the expected renderings
    tests/golden/<case>/renamed.json  optional: {repo path: old job name}; git history holds the
                                      job under its old name first, then renamed (the evidence)

Regenerate after a deliberate change with `python -m pytest tests/golden --update-goldens`
and review the diff.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import jsonschema
import pytest
from support import Scenario

from jobsync.repo.schemas import schema_file

CASES = sorted(p for p in Path(__file__).parent.iterdir() if (p / "remote.json").exists())
FORMATS = {"text": "plan.txt", "markdown": "plan.md", "json": "plan.json"}


def scrub(text: str, fmt: str) -> str:
    """Drop what differs between runs: the repo commit."""
    if fmt != "json":
        return text
    document = json.loads(text)
    document["repo"]["commit"] = None
    return json.dumps(document, indent=2, ensure_ascii=False) + "\n"


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
@pytest.mark.parametrize("fmt", list(FORMATS))
def test_plan_renders_as_the_golden_file(case, fmt, tmp_path, request):
    root = tmp_path / "repo"
    shutil.copytree(case / "repo", root)
    scenario = Scenario(root, "local", configure=False)
    scenario.state_path.parent.mkdir(parents=True, exist_ok=True)
    shutil.copy(case / "remote.json", scenario.state_path)
    renamed = json.loads((case / "renamed.json").read_text()) if (case / "renamed.json").exists() else {}
    for rel, old in renamed.items():  # the job's file under its old name, committed first
        new = root / rel
        text = new.read_text(encoding="utf-8")
        new.with_name(f"{old}.yaml").write_text(text.replace(f"name: {new.stem}", f"name: {old}"), encoding="utf-8")
        new.unlink()
    if renamed:
        scenario.commit("before the rename")
        shutil.copytree(case / "repo", root, dirs_exist_ok=True)
        for rel, old in renamed.items():
            (root / rel).with_name(f"{old}.yaml").unlink()
    scenario.commit("golden")

    result = scenario.run("plan", "-w", "dev", "--format", fmt)

    assert result.exit_code in (0, 1), result.stderr
    actual = scrub(result.stdout, fmt)
    expected_file = case / FORMATS[fmt]
    if request.config.getoption("--update-goldens"):
        expected_file.write_text(actual)
    assert actual == expected_file.read_text(), "run `python -m pytest tests/golden --update-goldens` and review"


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_golden_json_plans_match_the_committed_schema(case):
    schema = json.loads(schema_file("plan").read_text())
    document = json.loads((case / "plan.json").read_text())
    jsonschema.validate(document, schema)  # on failure: fix the output or schemas/plan.v1.json
