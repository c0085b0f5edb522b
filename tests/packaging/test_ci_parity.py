"""`.ci/run` and .github/workflows/ci.yml run the same checks, in the same order."""

from __future__ import annotations

from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[2]
CHECKS = ("ruff ", "mypy ", "lint-imports", "python -m pytest")


def checks(lines: list[str]) -> list[str]:
    return [line.strip() for line in lines if line.strip().startswith(CHECKS)]


def test_ci_run_and_the_workflow_run_the_same_checks() -> None:
    script = checks((ROOT / ".ci" / "run").read_text(encoding="utf-8").splitlines())
    workflow = yaml.safe_load((ROOT / ".github" / "workflows" / "ci.yml").read_text(encoding="utf-8"))
    steps = workflow["jobs"]["test"]["steps"]
    in_workflow = checks([line for step in steps for line in str(step.get("run", "")).splitlines()])
    assert script == in_workflow
    assert script == [
        "ruff check jobsync tests benchmarks",
        "ruff format --check jobsync tests benchmarks",
        "mypy --strict jobsync",
        "lint-imports",
        "python -m pytest -n 2",
    ]


def test_pre_commit_runs_the_same_static_checks() -> None:
    config = yaml.safe_load((ROOT / ".pre-commit-config.yaml").read_text(encoding="utf-8"))
    (local,) = config["repos"]
    assert local["repo"] == "local"
    entries = {hook["id"]: hook["entry"] for hook in local["hooks"]}
    assert entries == {
        "ruff": "ruff check --force-exclude",
        "ruff-format": "ruff format --check --force-exclude",
        "mypy": "mypy --strict jobsync",
        "lint-imports": "lint-imports",
    }
    assert all(hook["language"] == "system" for hook in local["hooks"])
