"""The two-workspace pull-request flow end to end, with the fake GitHub API on
loopback, as the plan and apply workflows run it: the PR changes only dev's files, the plan
comment covers dev and prod (prod deploys dev's working tree), each plan is uploaded as the
artifact of the PR's head commit, and after the merge each workspace applies the plan its
reviewers saw (`apply --reviewed`), or is refused with the reason in the PR."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from support import git
from typer.testing import CliRunner

from jobsync.cli.app import app
from jobsync.github.comment import PLAN_MARKER

PROJECT = Path(__file__).resolve().parents[2]
PR = 21
DEV_JOB = "workspaces/dev/jobs/sales/daily_sales.yaml"


def _set_cron(path: Path, cron: str) -> None:
    lines = path.read_text().splitlines(keepends=True)
    at = next(i for i, line in enumerate(lines) if line.strip().startswith("expression:"))
    indent = lines[at][: len(lines[at]) - len(lines[at].lstrip())]
    lines[at] = f"{indent}expression: {cron}\n"
    path.write_text("".join(lines))


class Delivery:
    """The user's repo and the workflows' steps, with the fake GitHub taking comments and artifacts."""

    def __init__(self, root: Path, fake) -> None:
        self.root, self.fake = root, fake
        self.runner_temp = root.parent / "runner"
        self.runner_temp.mkdir()

    def jobsync(self, *args: str) -> tuple[int, str, str]:
        argv = list(args)
        if argv[0] in {"validate", "plan", "apply"} or argv[:2] == ["github", "changed-workspaces"]:
            argv += ["--repo", str(self.root)]
        result = CliRunner().invoke(app, argv, env=self.fake.env, catch_exceptions=False)
        return result.exit_code, result.stdout, result.stderr

    def head(self) -> str:
        return git(self.root, "rev-parse", "HEAD").strip()

    def plan_workflow(self) -> list[str]:
        """Plan each affected workspace, comment, upload `jobsync-plan-<head sha>`."""
        out = self.runner_temp / f"plan-{self.head()[:7]}"
        out.mkdir()
        code, listed, _ = self.jobsync("github", "changed-workspaces", "--since", "main")
        assert code == 0
        workspaces = json.loads(listed)
        for ws in workspaces:
            code, _, err = self.jobsync("plan", "-w", ws, "--changed-since", "main", "--out", str(out / f"{ws}.json"))
            assert code == 0, err
        plans = [arg for ws in workspaces for arg in ("--plan", str(out / f"{ws}.json"))]
        assert self.jobsync("github", "comment", "--pr", str(PR), *plans)[0] == 0
        files = {f"{ws}.json": (out / f"{ws}.json").read_bytes() for ws in workspaces}
        self.fake.upload_artifact(f"jobsync-plan-{self.head()}", files)
        self.fake.pull_heads[PR] = self.head()
        return workspaces

    def merge(self) -> str:
        git(self.root, "checkout", "-q", "main")
        git(self.root, "merge", "-q", "--no-ff", "-m", f"Merge pull request #{PR}", "pr")
        merged = self.head()
        self.fake.commit_pulls[merged] = PR
        return merged

    def apply_workflow(self, commit: str) -> dict[str, int]:
        """Per affected workspace: fetch the reviewed plan, apply it --reviewed, comment."""
        code, listed, _ = self.jobsync("github", "changed-workspaces", "--since", "HEAD~1", "--environments")
        assert code == 0
        codes = {}
        for item in json.loads(listed):
            ws = item["workspace"]
            plan, err = self.runner_temp / f"reviewed-{ws}.json", self.runner_temp / f"apply-{ws}.err"
            code, _, stderr = self.jobsync("github", "reviewed-plan", "--commit", commit, "-w", ws, "--out", str(plan))
            out = ""
            if code == 0:
                code, out, stderr = self.jobsync("apply", "-w", ws, "--reviewed", str(plan), "--format", "markdown")
            err.write_text(stderr)
            body = self.runner_temp / f"apply-{ws}.md"
            body.write_text(out)
            args = ["--body-file", str(body)] + (["--failed", f"{ws}={err}"] if code else [])
            marker = f"<!-- jobsync-apply:{ws} -->"
            posted = self.jobsync("github", "comment", "--commit", commit, *args, "--marker", marker)
            assert posted[0] == 0, posted[2]
            codes[ws] = code
        return codes

    def apply_comment(self, ws: str) -> str:
        [comment] = self.fake.comments_with(PR, f"<!-- jobsync-apply:{ws} -->")
        return comment["body"]

    def state(self, ws: str) -> dict:
        return json.loads((self.root / f".jobsync/state/{ws}.json").read_text())

    def cron(self, ws: str, job: str) -> str:
        entry = next(e for e in self.state(ws)["jobs"] if e["definition"]["name"] == job)
        return entry["definition"]["schedule"]["cron"]["expression"]


@pytest.fixture
def delivery(tmp_path, fake_github) -> Delivery:
    """main: the example workspaces, applied; branch `pr` moves dev's daily_sales schedule."""
    root = tmp_path / "repo"
    root.mkdir()
    shutil.copytree(PROJECT / "workspaces", root / "workspaces")
    shutil.copytree(PROJECT / "schemas", root / "schemas")
    (root / ".gitignore").write_text(".jobsync/\n")
    git(root, "init", "-q", "-b", "main")
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", "example workspaces")
    flow = Delivery(root, fake_github)
    for ws in ("dev", "prod"):
        assert flow.jobsync("apply", "-w", ws, "--auto-approve")[0] == 0
    git(root, "checkout", "-q", "-b", "pr")
    _set_cron(root / DEV_JOB, "0 45 2 * * ?")
    git(root, "commit", "-q", "-am", "dev: move daily_sales")
    return flow


def test_a_reviewed_pull_request_is_planned_for_both_workspaces_and_applied_as_reviewed(delivery, fake_github):
    planned = delivery.plan_workflow()

    assert planned == ["dev", "prod"], "a change to dev's files also plans prod, which deploys dev's working tree"
    [comment] = fake_github.comments[PR]
    assert comment["body"].startswith(PLAN_MARKER + "\n")
    assert "<!-- jobsync-plan:dev -->" in comment["body"] and "<!-- jobsync-plan:prod -->" in comment["body"]
    assert comment["body"].count("+ schedule.cron.expression: 0 45 2 * * ?") == 1  # prod's override keeps its own

    merged = delivery.merge()
    codes = delivery.apply_workflow(merged)

    assert codes == {"dev": 0, "prod": 0}
    assert delivery.cron("dev", "daily_sales") == "0 45 2 * * ?"
    dev = delivery.apply_comment("dev")
    assert "**Apply: 1 applied, 0 skipped, 0 blocked, 0 failed.**" in dev
    assert "| ✅ applied | job `daily_sales` | updated job daily_sales |" in dev


def test_a_console_edit_between_review_and_merge_is_refused_with_the_reason_in_the_pr(delivery):
    delivery.plan_workflow()
    state = delivery.state("dev")
    entry = next(e for e in state["jobs"] if e["definition"]["name"] == "daily_sales")
    entry["definition"]["description"] = "hotfix made in the console"
    entry["lastUpdateUser"] = "alice"
    entry["lastUpdateTime"] = int(entry.get("lastUpdateTime") or 0) + 600_000
    (delivery.root / ".jobsync/state/dev.json").write_text(json.dumps(state))

    codes = delivery.apply_workflow(delivery.merge())

    assert codes["dev"] == 1
    body = delivery.apply_comment("dev")
    assert "#### ⛔ jobsync apply failed for workspace `dev`" in body
    assert "job daily_sales changed in the workspace since the plan was reviewed (lastUpdateUser alice)" in body
    assert "nothing was applied" in body and "**What to do:** plan again" in body
    assert delivery.cron("dev", "daily_sales") == "0 30 2 * * ?", "the console edit was not overwritten"
    assert (
        next(e for e in delivery.state("dev")["jobs"] if e["definition"]["name"] == "daily_sales")["definition"][
            "description"
        ]
        == "hotfix made in the console"
    )


def test_a_head_that_was_never_planned_is_refused_with_that_reason_in_the_pr(delivery):
    delivery.plan_workflow()
    _set_cron(delivery.root / DEV_JOB, "0 50 2 * * ?")  # pushed after the last plan: never planned
    git(delivery.root, "commit", "-q", "-am", "dev: one more push")
    delivery.fake.pull_heads[PR] = delivery.head()

    codes = delivery.apply_workflow(delivery.merge())

    assert codes == {"dev": 1, "prod": 1}
    head = delivery.fake.pull_heads[PR]
    for ws in ("dev", "prod"):
        body = delivery.apply_comment(ws)
        assert f"the head commit {head[:12]} of pull request #{PR} was never planned" in body
        assert "**What to do:** re-run the plan workflow" in body
    assert delivery.cron("dev", "daily_sales") == "0 30 2 * * ?"


def test_an_artifact_whose_plan_was_made_at_another_commit_is_refused(delivery):
    delivery.plan_workflow()
    [artifact] = delivery.fake.artifacts
    head = delivery.fake.pull_heads[PR]
    plan = json.loads((delivery.runner_temp / f"plan-{head[:7]}" / "dev.json").read_text())
    plan["repo"]["commit"] = "0" * 40  # an artifact named for the head, holding a plan made elsewhere
    delivery.fake.artifacts.clear()
    delivery.fake.upload_artifact(artifact["name"], {"dev.json": json.dumps(plan).encode()})

    codes = delivery.apply_workflow(delivery.merge())

    assert codes["dev"] == 1
    assert "made at commit '000000000000', not at the pull request's head" in delivery.apply_comment("dev")
    assert delivery.cron("dev", "daily_sales") == "0 30 2 * * ?"
