"""`.ci/run` and .github/workflows/ci.yml run the same checks, in the same order, in a fresh venv,
and both end with the README's test command, word for word."""

from __future__ import annotations

import re
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[2]
CHECKS = ("ruff ", "mypy ", "lint-imports", "python -m pip install")


def checks(lines: list[str]) -> list[str]:
    return [line.split("  #")[0].strip() for line in lines if line.strip().startswith(CHECKS)]


def readme_test_command() -> str:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    found = re.search(r"Run the tests:\n\n```sh\n(.+)\n```", readme)
    assert found, "README.md lost its 'Run the tests:' block"
    return found[1]


def workflow_steps() -> list[dict[str, str]]:
    workflow = yaml.safe_load((ROOT / ".github" / "workflows" / "ci.yml").read_text(encoding="utf-8"))
    steps: list[dict[str, str]] = workflow["jobs"]["test"]["steps"]
    return steps


def test_ci_run_and_the_workflow_run_the_same_checks_ending_with_the_readme_test_command() -> None:
    script = checks((ROOT / ".ci" / "run").read_text(encoding="utf-8").splitlines())
    in_workflow = checks([line for step in workflow_steps() for line in str(step.get("run", "")).splitlines()])
    readme = readme_test_command()
    assert readme == "python -m pip install -e '.[test]' && python -m pytest -n 2"
    assert script == [
        "python -m pip install --quiet --disable-pip-version-check -e '.[test]'",
        "ruff check jobsync tests benchmarks",
        "ruff format --check jobsync tests benchmarks",
        "mypy --strict jobsync",
        "lint-imports",
        readme,
    ]
    assert in_workflow == script[1:]  # the workflow's Install step makes and fills its venv


def test_ci_run_and_the_workflow_use_a_fresh_venv_and_keep_the_pytest_count_visible() -> None:
    script = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    assert script.index('python -m venv "$venv"') < script.index('. "$venv/bin/activate"') < script.index("ruff ")
    assert "--system-site-packages" not in script
    last = [line for line in script.splitlines() if line.strip() and not line.startswith("#")][-1]
    assert last == readme_test_command()  # nothing after it, nothing piped: the count is the last line
    install = next(str(step["run"]) for step in workflow_steps() if step.get("name") == "Install")
    assert 'python -m venv "$RUNNER_TEMP/venv"' in install
    assert 'echo "$RUNNER_TEMP/venv/bin" >> "$GITHUB_PATH"' in install


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
