"""A newcomer's mistakes in a fresh `jobsync init` repo, each answered once, on the line to fix,
in plain words, with the exit code the README gives (one test per mistake a newcomer made)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from support import git

from jobsync.cli.app import main

JOB = "workspaces/dev/jobs/examples/hello.yaml"


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture
def fresh(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> Path:
    root = tmp_path / "仓库"
    assert run(capsys, "init", str(root))[0] == 0
    return root


def edit(root: Path, rel: str, old: str, new: str) -> int:
    """Replace `old` (once) in a file; the 1-based line where `new` starts."""
    path = root / rel
    text = path.read_text(encoding="utf-8")
    assert text.count(old) == 1, (old, text)
    path.write_text(text.replace(old, new), encoding="utf-8")
    return text[: text.index(old)].count("\n") + 1


def problem_lines(err: str) -> list[str]:
    return [line.strip() for line in err.splitlines() if line.startswith("  ")]


def test_a_problem_in_dev_files_is_reported_once_naming_both_workspaces(fresh, capsys):
    line = edit(fresh, JOB, "  owner: jobsync\n", "  owner: [me\n")

    code, out, err = run(capsys, "validate", "--repo", str(fresh))

    assert code == 1 and out == ""
    assert "1 problem found" in err
    (problem,) = problem_lines(err)
    assert problem.startswith(f"{JOB}:{line}: ")
    assert problem.endswith("(workspaces dev, prod)")


def test_an_unclosed_bracket_is_reported_on_its_own_line_not_the_next(fresh, capsys):
    line = edit(fresh, JOB, "  owner: jobsync\n", "  owner: [me\n")

    code, _, err = run(capsys, "validate", "-w", "dev", "--repo", str(fresh))

    assert code == 1
    assert problem_lines(err) == [
        f"{JOB}:{line}: not valid YAML: the '[' opened here is never closed: add the missing ']' (or quote the value)"
    ]


def test_a_tab_is_called_a_tab(fresh, capsys):
    line = edit(fresh, JOB, "  owner: jobsync\n", "\towner: jobsync\n")

    code, _, err = run(capsys, "validate", "-w", "dev", "--repo", str(fresh))

    assert code == 1
    assert problem_lines(err) == [
        f"{JOB}:{line}: not valid YAML: a tab character (column 1); YAML indents with spaces only: "
        "replace the tab with spaces"
    ]
    assert "cannot start any token" not in err


def test_a_misspelt_required_key_is_one_problem_on_its_line_with_the_key_meant(fresh, capsys):
    line = edit(fresh, JOB, "schedule:\n", "schedul:\n")

    code, _, err = run(capsys, "validate", "--repo", str(fresh))
    planned = run(capsys, "plan", "-w", "dev", "--repo", str(fresh))

    expected = f"{JOB}:{line}: schedul: unknown key 'schedul'; did you mean 'schedule'? A job needs `schedule`"
    assert code == 1
    assert problem_lines(err) == [f"{expected} (workspaces dev, prod)"]
    assert "warning" not in err  # the lint's "did you mean" is the error's, not said twice
    assert "is a required property" not in err
    assert planned[0] == 1 and problem_lines(planned[2]) == [expected]


def test_a_missing_required_key_names_the_mapping_and_what_to_add(fresh, capsys):
    line = edit(fresh, JOB, "  type: DLISQL\n", "")

    code, _, err = run(capsys, "validate", "-w", "dev", "--repo", str(fresh))

    assert code == 1
    assert problem_lines(err) == [f"{JOB}:{line - 1}: nodes[0]: `nodes[0]` has no `type`, which it needs: add `type:`"]


def test_a_misspelt_workspace_yaml_key_is_named_on_its_line_with_the_key_meant(fresh, capsys):
    rel = "workspaces/prod/workspace.yaml"
    line = edit(fresh, rel, "policies:\n", "polices:\n")

    code, _, err = run(capsys, "validate", "--repo", str(fresh))

    assert code == 1
    assert problem_lines(err) == [f"{rel}:{line}: polices: unknown key 'polices'; did you mean 'policies'?"]
    assert "Additional properties" not in err


def test_a_script_name_with_a_typo_fails_validate_with_file_line_and_the_name_meant(fresh, capsys):
    line = edit(fresh, JOB, "scriptName: hello\n", "scriptName: helo\n")

    code, _, err = run(capsys, "validate", "-w", "dev", "--repo", str(fresh))

    assert code == 1
    assert problem_lines(err) == [
        f"{JOB}:{line}: nodes[0].properties.scriptName: runs script 'helo', which is neither in the repo nor in "
        "the workspace; did you mean 'hello'? Fix the name, or add the script (scripts/<folder>/helo.yaml)"
    ]


def test_plan_blocks_the_same_typo_naming_file_line_the_name_meant_and_the_action(fresh, capsys):
    line = edit(fresh, JOB, "scriptName: hello\n", "scriptName: helo\n")
    git(fresh, "commit", "-qam", "typo")

    code, out, _ = run(capsys, "plan", "-w", "dev", "--repo", str(fresh))

    assert code == 1
    assert (
        f"! job hello  [blocked (create)]  {JOB}:{line}: runs script 'helo', which is neither in the workspace nor "
        "created by this plan; did you mean 'hello'? Fix the name, or add the script (scripts/<folder>/helo.yaml)"
    ) in out


def test_a_depend_job_naming_no_job_fails_validate_on_its_line(fresh, capsys):
    line = edit(
        fresh,
        JOB,
        "    expressionTimeZone: GMT+08:00\n",
        "    expressionTimeZone: GMT+08:00\n    dependJobs:\n      jobs:\n      - 日报汇总\n",
    )

    code, _, err = run(capsys, "validate", "-w", "dev", "--repo", str(fresh))

    assert code == 1
    assert problem_lines(err) == [
        f"{JOB}:{line + 3}: schedule.cron.dependJobs.jobs[0]: depends on job '日报汇总' (schedule.cron.dependJobs), "
        "which is neither in the repo nor in the workspace: fix the name, or remove it from dependJobs"
    ]


def test_a_name_the_local_workspace_already_has_is_not_a_problem(fresh, capsys):
    assert run(capsys, "apply", "-w", "dev", "--auto-approve", "--repo", str(fresh))[0] == 0
    (fresh / "workspaces/dev/scripts/examples/hello.yaml").unlink()  # applied before: the workspace has it
    (fresh / "workspaces/dev/scripts/examples/hello.sql").unlink()

    code, _, err = run(capsys, "validate", "-w", "dev", "--repo", str(fresh))

    assert code == 0, err


def test_init_github_placeholders_fail_validate_on_their_lines(tmp_path, capsys):
    root = tmp_path / "gh"
    assert run(capsys, "init", str(root), "--github")[0] == 0
    text = (root / "workspaces/dev/workspace.yaml").read_text(encoding="utf-8")
    region = text.splitlines().index(next(x for x in text.splitlines() if "REPLACE-ME-region" in x)) + 1

    code, _, err = run(capsys, "validate", "--repo", str(root))

    assert code == 1
    found = problem_lines(err)
    assert len(found) == 8  # four values in each of dev's and prod's workspace.yaml, each once
    assert found[0] == (
        f"workspaces/dev/workspace.yaml:{region}: backend.region: backend.region is still the placeholder "
        "'REPLACE-ME-region' that `jobsync init --github` wrote; replace it with your workspace's value"
    )


def test_plan_carries_validate_s_warnings(fresh, capsys):
    line = edit(fresh, JOB, "processType: BATCH\n", "processTyp: BATCH\n")

    code, _, err = run(capsys, "plan", "-w", "dev", "--repo", str(fresh))

    assert code == 0
    warnings = [x for x in err.splitlines() if x.startswith("warning:")]
    assert warnings == [
        f"warning: {JOB}:{line}: processTyp: unknown key 'processTyp'; did you mean 'processType'? "
        "(unknown keys are kept and sent as they are)"
    ]


def test_every_problem_is_printed_once(fresh, capsys):
    edit(fresh, JOB, "scriptName: hello\n", "scriptName: helo\n")
    edit(fresh, "workspaces/dev/scripts/examples/hello.yaml", "type: DLISQL\n", "typ: DLISQL\n")

    _, _, err = run(capsys, "validate", "--repo", str(fresh))

    found = problem_lines(err)
    assert len(found) == len(set(found)) == int(re.search(r"(\d+) problems? found", err)[1])


def test_a_depend_job_only_the_local_workspace_has_passes_and_a_typo_of_it_names_it(local):
    from support import job_body

    from jobsync.core.model import Kind

    local.put(Kind.JOB, job_body("上游"))
    local.commit("upstream")
    assert local.run("apply", "-w", "dev", "--auto-approve").exit_code == 0  # the workspace has it
    (local.folder / "jobs" / "上游.yaml").unlink()  # the repo no longer does
    local.put(Kind.JOB, job_body("下游", depends=["上游", "上游x"]))

    result = local.run("validate")

    assert result.exit_code == 1, result.stderr
    (found,) = problem_lines(result.stderr)
    assert (
        "depends on job '上游x' (schedule.cron.dependJobs), which is neither in the repo nor in the workspace; "
        "did you mean '上游'? Fix the name, or remove it from dependJobs"
    ) in found


@pytest.mark.parametrize("scenario", ["emulator"], indirect=True)
def test_on_dataarts_a_name_missing_from_the_repo_is_a_warning_with_the_cached_names_to_suggest(scenario):
    from support import job_body

    from jobsync.backends.dataarts.cache import JobCache
    from jobsync.backends.dataarts.config import cache_owner, parse_config
    from jobsync.core.model import Kind

    owner = cache_owner(parse_config(scenario.backend_config(), "workspace.yaml"))
    cached = JobCache(scenario.root / ".jobsync/cache/dev.json", owner)  # as the last plan left it
    item = {"name": "上游", "lastUpdateTime": 1, "lastUpdateUser": "u", "createTime": 1, "path": "/", "jobType": "B"}
    assert cached.put(item, job_body("上游"), settled_before=10) is not None
    cached.save()
    scenario.put(Kind.JOB, job_body("下游", depends=["上游", "上游x"]))

    result = scenario.run("validate")

    assert result.exit_code == 0, result.stderr  # the workspace may have it: plan decides
    warnings = [line for line in result.stderr.splitlines() if line.startswith("warning:")]
    assert len(warnings) == 1  # 上游 is in the cached list: nothing to say
    assert (
        "depends on job '上游x' (schedule.cron.dependJobs), which is not in the repo; did you mean '上游'? "
        "Fix the name, or remove it from dependJobs (the workspace's own list is not read offline: plan checks it)"
    ) in warnings[0]
