"""The commands the plan and apply workflows run, in their order, for a pull request that
changes one job in each of two workspaces (the example workspaces dev and prod, local backend;
prod deploys dev's definitions, and the PR edits prod's override of daily_sales), with the fake
GitHub API taking the comments."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
import yaml
from support import git
from typer.testing import CliRunner

from jobsync.cli.app import app
from jobsync.github.comment import PLAN_MARKER

PROJECT = Path(__file__).resolve().parents[2]
PR = 12


class Workflow:
    """A checkout of the user's GitOps repo, and the steps of the workflows as commands."""

    def __init__(self, root: Path, env: dict[str, str]) -> None:
        self.root, self.env = root, env
        self.out = root.parent / "jobsync-plan"  # the workflow's artifact folder
        self.out.mkdir()

    def jobsync(self, *args: str) -> tuple[int, str, str]:
        argv = list(args)
        if argv[0] in {"validate", "plan", "apply"} or argv[:2] == ["github", "changed-workspaces"]:
            argv += ["--repo", str(self.root)]
        result = CliRunner().invoke(app, argv, env=self.env, catch_exceptions=False)
        return result.exit_code, result.stdout, result.stderr

    def plan_pull_request(self, base: str = "main") -> dict[str, int]:
        """The plan workflow's steps; returns each command's exit code."""
        codes = {"validate": self.jobsync("validate")[0]}
        code, out, _ = self.jobsync("github", "changed-workspaces", "--since", base)
        codes["changed-workspaces"] = code
        for ws in json.loads(out):
            code, markdown, _ = self.jobsync(
                "plan", "-w", ws, "--changed-since", base, "--format", "markdown", "--out", str(self.out / f"{ws}.json")
            )
            (self.out / f"{ws}.md").write_text(markdown)
            codes[f"plan {ws}"] = code
        plans = [arg for path in sorted(self.out.glob("*.json")) for arg in ("--plan", str(path))]
        codes["comment"] = self.jobsync("github", "comment", "--pr", str(PR), *plans)[0]
        return codes

    def edit_cron(self, relative: str, cron: str) -> None:
        path = self.root / relative
        path.write_text(_set_cron(path.read_text(), cron))


def _set_cron(text: str, cron: str) -> str:
    lines = text.splitlines(keepends=True)
    at = next(i for i, line in enumerate(lines) if line.strip().startswith("expression:"))
    indent = lines[at][: len(lines[at]) - len(lines[at].lstrip())]
    lines[at] = f"{indent}expression: {cron}\n"
    return "".join(lines)


DEV_JOB = "workspaces/dev/jobs/sales/daily_sales.yaml"
PROD_JOB = "workspaces/prod/overrides/jobs/daily_sales.yaml"


@pytest.fixture
def pull_request_changing_two_jobs(tmp_path, fake_github) -> Workflow:
    """main holds the example workspaces, applied; branch `pr` changes a job in each."""
    root = tmp_path / "repo"
    root.mkdir()
    shutil.copytree(PROJECT / "workspaces", root / "workspaces")
    shutil.copytree(PROJECT / "schemas", root / "schemas")
    (root / ".gitignore").write_text(".jobsync/\n")
    git(root, "init", "-q", "-b", "main")
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", "example workspaces")
    flow = Workflow(root, fake_github.env)
    for ws in ("dev", "prod"):
        assert flow.jobsync("apply", "-w", ws, "--auto-approve")[0] == 0
    git(root, "checkout", "-q", "-b", "pr")
    flow.edit_cron(DEV_JOB, "0 45 2 * * ?")
    flow.edit_cron(PROD_JOB, "0 15 4 * * ?")
    git(root, "commit", "-q", "-am", "move two schedules")
    return flow


def test_the_plan_comment_shows_both_workspaces_and_later_pushes_edit_it(
    pull_request_changing_two_jobs,
    fake_github,
):
    flow = pull_request_changing_two_jobs

    codes = flow.plan_pull_request()

    assert codes == {"validate": 0, "changed-workspaces": 0, "plan dev": 0, "plan prod": 0, "comment": 0}
    [comment] = fake_github.comments[PR]
    body = comment["body"]
    assert body.startswith(PLAN_MARKER + "\n")
    assert "<!-- jobsync-plan:dev -->" in body and "<!-- jobsync-plan:prod -->" in body
    assert "<code>daily_sales</code>" in body and "`source dev @ working tree`" in body
    assert "- schedule.cron.expression: 0 30 2 * * ?\n+ schedule.cron.expression: 0 45 2 * * ?" in body
    assert "- schedule.cron.expression: 0 0 2 * * ?\n+ schedule.cron.expression: 0 15 4 * * ?" in body
    assert body.count("**Plan: 0 to create, 1 to update, 0 to delete, 0 skipped, 0 blocked.**") == 2
    assert "job <code>sales_report</code>" not in body  # unchanged jobs are not planned
    assert 'j1["sales_report"]' in body  # but drawn as daily_sales's downstream neighbour
    saved = json.loads((flow.out / "prod.json").read_text())
    assert [c["name"] for c in saved["changes"]] == ["daily_sales"]

    # a second push: prod's job now blocked (hard lock held by alice in the workspace)
    config = flow.root / "workspaces/prod/workspace.yaml"
    data = yaml.safe_load(config.read_text())
    data["policies"]["lock"] = "hard"
    config.write_text(yaml.safe_dump(data, sort_keys=False))
    state = flow.root / ".jobsync/state/prod.json"
    document = json.loads(state.read_text())
    for entry in document["jobs"]:
        if entry["definition"]["name"] == "daily_sales":
            entry["lockedBy"] = "alice"
    state.write_text(json.dumps(document))
    git(flow.root, "commit", "-q", "-am", "prod: hard locks")

    codes = flow.plan_pull_request()

    assert codes["plan prod"] == 1 and codes["plan dev"] == 0 and codes["comment"] == 0
    assert len(fake_github.comments[PR]) == 1, "the second push edits the comment, no duplicate"
    body = fake_github.comments[PR][0]["body"]
    assert fake_github.comments[PR][0]["id"] == comment["id"]
    assert "locked by alice under the hard lock policy" in body
    assert "1 blocked.**" in body


def test_after_merge_apply_brings_both_workspaces_in_line(pull_request_changing_two_jobs, fake_github):
    flow = pull_request_changing_two_jobs
    git(flow.root, "checkout", "-q", "main")
    git(flow.root, "merge", "-q", "--ff-only", "pr")

    code, out, _ = flow.jobsync("github", "changed-workspaces", "--since", "HEAD~1")
    assert code == 0 and json.loads(out) == ["dev", "prod"]
    for ws in json.loads(out):
        code, summary, _ = flow.jobsync("apply", "-w", ws, "--auto-approve", "--format", "markdown")
        assert code == 0
        assert summary.startswith(f"<!-- jobsync-plan:{ws} -->")
        again = flow.jobsync("plan", "-w", ws, "--detailed-exitcode")
        assert again[0] == 0, again[1]  # no changes left
    apply_md = flow.out / "apply.md"
    apply_md.write_text(summary)
    fake_github.commit_pulls["abc"] = PR
    code, _, _ = flow.jobsync(
        "github", "comment", "--commit", "abc", "--body-file", str(apply_md), "--marker", "<!-- jobsync-apply:prod -->"
    )
    assert code == 0
    assert fake_github.comments_with(PR, "<!-- jobsync-apply:prod -->")[0]["body"].endswith(summary)


def test_an_invalid_file_fails_validate_and_plan(pull_request_changing_two_jobs):
    flow = pull_request_changing_two_jobs
    (flow.root / DEV_JOB).write_text("name: daily_sales\nnodes: [\n")
    git(flow.root, "commit", "-q", "-am", "broken yaml")

    codes = flow.plan_pull_request()

    # prod deploys dev's working tree: dev's broken file fails prod's plan too
    assert codes["validate"] == 1 and codes["plan dev"] == 1 and codes["plan prod"] == 1
