"""The first hour, as the README and `init` say it: a new repo whose example job applies in dev
and in prod, a promotion to a tag, and a missing queue that says where to declare it."""

from __future__ import annotations

from pathlib import Path

import pytest
from support import git

from jobsync.cli.app import main


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture
def fresh(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> Path:
    """`jobsync init` in an empty folder (a non-ASCII path, as on many laptops)."""
    root = tmp_path / "数据仓库"
    code, _, err = run(capsys, "init", str(root))
    assert code == 0, err
    return root


@pytest.mark.parametrize("workspace", ["dev", "prod"])
def test_init_validate_plan_apply_plan_ends_in_no_changes(fresh, capsys, workspace):
    validated = run(capsys, "validate", "--repo", str(fresh))
    first = run(capsys, "plan", "-w", workspace, "--repo", str(fresh))
    applied = run(capsys, "apply", "-w", workspace, "--auto-approve", "--repo", str(fresh))
    again = run(capsys, "plan", "-w", workspace, "--detailed-exitcode", "--repo", str(fresh))

    assert validated[0] == 0, validated[2]
    assert "warning" not in validated[2]  # the example is in the canonical form, nothing to fmt
    assert first[0] == 0, first
    assert "+ job hello  [create]" in first[1] and "+ script hello  [create]" in first[1]
    assert "Plan: 2 to create, 0 to update, 0 to delete, 0 skipped, 0 blocked." in first[1]
    assert applied[0] == 0 and "Apply: 2 applied, 0 skipped, 0 blocked, 0 failed." in applied[1], applied
    assert again[0] == 0, again
    assert f"No changes. Workspace {workspace} matches the repo." in again[1]


def test_init_commits_the_example_and_fmt_leaves_it_alone(fresh, capsys):
    tracked = git(fresh, "ls-files").splitlines()
    checked = run(capsys, "fmt", "--check", "--repo", str(fresh))

    assert {
        "workspaces/dev/jobs/examples/hello.yaml",
        "workspaces/dev/scripts/examples/hello.yaml",
        "workspaces/dev/scripts/examples/hello.sql",
    } <= set(tracked)
    assert checked[0] == 0, checked
    assert git(fresh, "status", "--porcelain") == ""


def test_promote_to_a_tag_replaces_the_example_comment_then_plans_and_applies_cleanly(fresh, capsys):
    git(fresh, "tag", "v1")
    promoted = run(capsys, "promote", "-w", "prod", "--ref", "v1", "--repo", str(fresh))
    text = (fresh / "workspaces/prod/workspace.yaml").read_text(encoding="utf-8")
    git(fresh, "commit", "-qam", "prod: v1")
    applied = run(capsys, "apply", "-w", "prod", "--auto-approve", "--repo", str(fresh))
    again = run(capsys, "plan", "-w", "prod", "--detailed-exitcode", "--repo", str(fresh))

    assert promoted[0] == 0, promoted
    assert "source dev @ v1" in promoted[1] and "0 blocked." in promoted[1]
    assert "\n  ref: v1   " in text and "# ref:" not in text  # the example comment became the line
    assert text.count("ref:") == 1
    assert applied[0] == 0 and "Apply: 2 applied, 0 skipped, 0 blocked, 0 failed." in applied[1], applied
    assert again[0] == 0 and "No changes. Workspace prod matches the repo." in again[1]


def test_a_queue_the_local_workspace_lacks_says_where_it_is_used_and_where_to_declare_it(fresh, capsys):
    job = fresh / "workspaces/dev/jobs/examples/hello.yaml"
    text = job.read_text(encoding="utf-8")
    job.write_text(text.replace("queueName: default", "queueName: defualt"), "utf-8")
    line = text.splitlines().index("    queueName: default") + 1

    code, out, _ = run(capsys, "plan", "-w", "dev", "--repo", str(fresh))

    assert code == 1
    assert (
        f"! job hello  [blocked (create)]  workspaces/dev/jobs/examples/hello.yaml:{line}: refers to DLI queue "
        "'defualt', which does not exist in this workspace (did you mean 'default'?); the local workspace has what "
        "workspaces/dev/workspace.yaml lists under `local:`: add 'defualt' to local.dli_queues there, "
        "or map it under mappings.dli_queues"
    ) in out


def test_a_queue_with_no_near_name_says_where_to_declare_it(fresh, capsys):
    job = fresh / "workspaces/dev/jobs/examples/hello.yaml"
    job.write_text(job.read_text(encoding="utf-8").replace("queueName: default", "queueName: 报表队列"), "utf-8")

    code, out, _ = run(capsys, "plan", "-w", "dev", "--repo", str(fresh))

    assert code == 1
    assert (
        "refers to DLI queue '报表队列', which does not exist in this workspace; the local workspace has what "
        "workspaces/dev/workspace.yaml lists under `local:`: add '报表队列' to local.dli_queues there, "
        "or map it under mappings.dli_queues"
    ) in out


def test_a_queue_declared_under_local_is_one_the_workspace_has(fresh, capsys):
    job = fresh / "workspaces/dev/jobs/examples/hello.yaml"
    job.write_text(job.read_text(encoding="utf-8").replace("queueName: default", "queueName: 报表队列"), "utf-8")
    settings = fresh / "workspaces/dev/workspace.yaml"
    text = settings.read_text(encoding="utf-8")
    settings.write_text(text.replace("dli_queues: [default]", "dli_queues: [default, 报表队列]"), "utf-8")

    code, out, _ = run(capsys, "plan", "-w", "dev", "--repo", str(fresh))

    assert code == 0, out
    assert "0 blocked." in out


def test_local_on_a_dataarts_workspace_is_refused_on_its_line(fresh, capsys):
    settings = fresh / "workspaces/dev/workspace.yaml"
    text = settings.read_text(encoding="utf-8").replace(
        "  type: local                     # the embedded workspace; later: dataarts\n"
        "  path: .jobsync/state/dev.json   # relative to the repo root\n",
        "  type: dataarts\n  region: cn-north-4\n  project_id: p\n  workspace_id: w\n",
    )
    settings.write_text(text, "utf-8")
    line = text.splitlines().index(next(x for x in text.splitlines() if x.startswith("local:"))) + 1

    code, _, err = run(capsys, "validate", "--repo", str(fresh))

    assert code == 1
    assert f"workspaces/dev/workspace.yaml:{line}:" in err
    assert "remove `local:`" in err


def test_diff_on_an_empty_prod_says_it_compares_definitions_and_points_at_plan(fresh, capsys):
    code, out, _ = run(capsys, "diff", "dev", "prod", "--repo", str(fresh))

    assert code == 0
    assert out.splitlines()[-2:] == [
        "No differences: promoting dev changes nothing in prod's definitions.",
        "This compares definitions in the repo, not workspace prod: `jobsync plan -w prod` shows what apply "
        "would change there, including objects prod does not have yet.",
    ]
