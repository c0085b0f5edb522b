"""Every outcome reaches the pull request: a plan that fails (wrong credentials
against the emulator) posts its error in the sticky comment and exits non-zero, and an apply
with one failed object posts that object's reason."""

from __future__ import annotations

import pytest
from support import WORKSPACE_ID, Scenario, environment, job_body

from jobsync.core.model import Kind
from jobsync.github.comment import PLAN_MARKER

PR = 5
STATE = {
    "project_id": "0833a5737480d53b2f25c010dc1a7b88",
    "credentials": [{"ak": "AKJOBSYNCTEST", "sk": "sk-jobsync-not-a-secret", "user": "jobsync"}],
    "workspaces": {},
}


@pytest.fixture
def remote(emulator_server, tmp_path) -> Scenario:
    emulator_server.reset(STATE)
    emulator_server.set_workspace(WORKSPACE_ID, environment())
    (tmp_path / "repo").mkdir()
    return Scenario(tmp_path / "repo", "emulator", emulator_server)


def test_a_plan_with_wrong_credentials_posts_its_error_and_fails(remote, fake_github, tmp_path):
    remote.put(Kind.JOB, job_body("etl"))
    remote.commit()
    wrong = {"HUAWEICLOUD_SDK_SK": "not-the-secret-key"}

    plan = remote.run("plan", "-w", "dev", "--format", "markdown", env=wrong)
    err = tmp_path / "dev.err"
    err.write_text(plan.stderr)
    comment = remote.run("github", "comment", "--pr", str(PR), "--failed", f"dev={err}", env=fake_github.env)

    assert plan.exit_code == 1
    assert comment.exit_code == 0, comment.stderr
    [posted] = fake_github.comments[PR]
    body = posted["body"]
    assert body.startswith(PLAN_MARKER + "\n#### ⛔ jobsync plan failed for workspace `dev`")
    assert "Incorrect IAM authentication information" in body  # what failed, from the emulator
    assert "**What to do:** check the credentials" in body
    assert "not-the-secret-key" not in body


def test_an_apply_with_one_refused_object_posts_its_reason(remote, fake_github, tmp_path):
    document = remote.document()
    document["scripts"] = [{"definition": {"name": "calc", "type": "DLISQL", "content": "select 1", "directory": "/"}}]
    remote.seed(document)
    remote.put(Kind.SCRIPT, {"name": "calc", "type": "HIVE", "content": "select 2", "directory": "/"})
    remote.put(Kind.JOB, job_body("etl"))
    remote.commit()

    apply = remote.run("apply", "-w", "dev", "--auto-approve", "--format", "markdown")
    summary = tmp_path / "apply.md"
    summary.write_text(apply.stdout)
    marker = "<!-- jobsync-apply:dev -->"
    comment = remote.run(
        "github", "comment", "--pr", str(PR), "--body-file", str(summary), "--marker", marker, env=fake_github.env
    )

    assert apply.exit_code == 1, apply.stdout + apply.stderr
    assert comment.exit_code == 0, comment.stderr
    body = fake_github.comments_with(PR, marker)[0]["body"]
    # a script's type change is known to fail (DLF.0203): the plan blocks it
    # before apply, and the comment still names the object and the reason
    assert "**Apply: 1 applied, 0 skipped, 1 blocked, 0 failed.**" in body
    assert "script `calc`" in body and "DLF.0203" in body
    assert "| ✅ applied | job `etl` | created job etl |" in body
