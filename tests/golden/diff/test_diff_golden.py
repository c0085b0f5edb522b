"""Golden tests of `jobsync diff A B` in text, Markdown and JSON.

The repo is built here: dev and prod (prod deploys dev at tag v1, with its mappings, an
override and variables), then dev moves on (a changed statement, a new job). Commits are
made at a fixed date, and the commit ids the output shows are scrubbed before comparing
(they change whenever the rendered files do).
Regenerate with `python -m pytest tests/golden/diff --update-goldens` and review the diff.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import jsonschema
import pytest
from support.environments import FIXED_DATES, Environments, load_job

from jobsync.core.model import Kind
from jobsync.repo.schemas import schema_file

HERE = Path(__file__).parent
FORMATS = {"text": "txt", "markdown": "md", "json": "json"}
CASES = {"promote_dev_to_prod": ("dev", "prod"), "prod_against_dev": ("prod", "dev")}


def scrub(text: str) -> str:
    text = re.sub(r"(@ v1 )\([0-9a-f]{7}\)", r"\1(COMMIT)", text)
    return re.sub(r'"commit": "[0-9a-f]{40}"', '"commit": "COMMIT"', text)


@pytest.fixture
def repo(tmp_path, monkeypatch) -> Environments:
    for name, value in FIXED_DATES.items():
        monkeypatch.setenv(name, value)
    (tmp_path / "repo").mkdir()
    envs = Environments(tmp_path / "repo", "local")
    envs.configure("dev")
    envs.write("workspaces/dev/variables.yaml", "db_name: sales_dev\n")
    envs.put("dev", Kind.JOB, load_job())
    envs.configure("prod", source={"workspace": "dev", "ref": "v1"}, mappings={"connections": {"dws_conn": "dws_prod"}})
    envs.write("workspaces/prod/variables.yaml", "db_name: sales_prod\nowner: {value: ops, type: constant}\n")
    envs.write("workspaces/prod/overrides/jobs/daily_sales.yaml", "schedule: {cron: {expression: 0 0 5 * * ?}}\n")
    envs.commit("release 1", tag="v1")
    envs.put("dev", Kind.JOB, load_job(statement='insert into #{Env.get("db_name")}.sales select 2'))
    envs.put("dev", Kind.JOB, load_job("weekly_sales", statement="select 7"))
    envs.commit("dev moves on")
    return envs


@pytest.mark.parametrize("case", sorted(CASES))
@pytest.mark.parametrize("fmt", sorted(FORMATS))
def test_diff_renders_as_the_golden_file(repo, case, fmt, request):
    a, b = CASES[case]
    result = repo.run("diff", a, b, "--format", fmt)
    assert result.exit_code == 0, result.stderr
    golden = HERE / f"{case}.{FORMATS[fmt]}"
    if request.config.getoption("--update-goldens"):
        golden.write_text(scrub(result.stdout))
    assert scrub(result.stdout) == golden.read_text(), (
        "run `python -m pytest tests/golden/diff --update-goldens` and review"
    )


@pytest.mark.parametrize("case", sorted(CASES))
def test_golden_json_diffs_match_the_committed_schema(case):
    document = json.loads((HERE / f"{case}.json").read_text())
    jsonschema.validate(document, json.loads(schema_file("diff").read_text()))
