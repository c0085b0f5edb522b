"""The sticky PR comment against the fake GitHub API: create once, then edit in place."""

from __future__ import annotations

import pytest
from support.fake_github import REPOSITORY, TOKEN
from typer.testing import CliRunner

from jobsync.cli.app import app
from jobsync.errors import RemoteError
from jobsync.github.api import GitHub
from jobsync.github.comment import PLAN_MARKER, fit, plan_comment, upsert_comment
from jobsync.render.markdown import GITHUB_LIMIT


def run(env, *args):
    result = CliRunner().invoke(app, ["github", *args], env=env, catch_exceptions=False)
    return result


def test_the_first_post_creates_the_comment_and_the_second_edits_it(fake_github, tmp_path):
    for n in range(5):  # other people's comments first: the marker is found on page 3
        fake_github.add_comment(7, f"looks good {n}")
    body = tmp_path / "plan.md"
    body.write_text("<!-- jobsync-plan:dev -->\nPlan: 1 to create\n")

    first = run(fake_github.env, "comment", "--pr", "7", "--body-file", str(body))
    body.write_text("<!-- jobsync-plan:dev -->\nPlan: 2 to create\n")
    second = run(fake_github.env, "comment", "--pr", "7", "--body-file", str(body))

    assert first.exit_code == 0 and second.exit_code == 0, first.stderr + second.stderr
    assert "created comment" in first.stderr and "updated comment" in second.stderr
    sticky = fake_github.comments_with(7, "<!-- jobsync-plan:dev -->")
    assert [c["body"] for c in sticky] == ["<!-- jobsync-plan:dev -->\nPlan: 2 to create\n"]
    assert len(fake_github.comments[7]) == 6
    pages = [p for m, p in fake_github.requests_seen if m == "GET"]
    assert len(pages) >= 3 + 3  # each run walked all three pages of comments


def test_a_body_without_a_marker_gets_the_one_given(fake_github, tmp_path):
    body = tmp_path / "apply.md"
    body.write_text("Applied: 1 created.\n")
    fake_github.commit_pulls["abc123"] = 9

    result = run(
        fake_github.env,
        "comment",
        "--commit",
        "abc123",
        "--body-file",
        str(body),
        "--marker",
        "<!-- jobsync-apply:dev -->",
    )

    assert result.exit_code == 0, result.stderr
    assert fake_github.comments[9][0]["body"] == "<!-- jobsync-apply:dev -->\nApplied: 1 created.\n"


def test_a_commit_pushed_without_a_pull_request_posts_nothing(fake_github, tmp_path):
    body = tmp_path / "apply.md"
    body.write_text("<!-- jobsync-apply -->\nx\n")

    result = run(fake_github.env, "comment", "--commit", "deadbeef", "--body-file", str(body))

    assert result.exit_code == 0
    assert "not from a pull request" in result.stderr
    assert fake_github.comments == {}


def test_a_body_with_no_marker_goes_into_the_plan_comment(fake_github, tmp_path):
    body = tmp_path / "plain.md"
    body.write_text("hello\n")

    result = run(fake_github.env, "comment", "--pr", "3", "--body-file", str(body))

    assert result.exit_code == 0, result.stderr
    [posted] = fake_github.comments[3]
    assert posted["body"] == "<!-- jobsync-plan -->\nhello\n"


def test_every_plan_failing_still_posts_the_errors_with_what_to_do(fake_github, tmp_path):
    # what the plan workflow posts when no plan JSON was written: the bug was "the comment
    # body must start with a marker line" and no comment at all
    err = tmp_path / "prod.err"
    err.write_text("\x1b[31merror: \x1b[0mreading prod refused: Incorrect IAM authentication information (HTTP 401)\n")
    summary = tmp_path / "summary.md"
    env = {**fake_github.env, "GITHUB_STEP_SUMMARY": str(summary)}

    result = run(env, "comment", "--pr", "3", "--failed", f"prod={err}", "--step-summary")

    assert result.exit_code == 0, result.stderr
    [posted] = fake_github.comments[3]
    body = posted["body"]
    assert body.startswith("<!-- jobsync-plan -->\n#### ⛔ jobsync plan failed for workspace `prod`\n")
    assert "error: reading prod refused: Incorrect IAM authentication information (HTTP 401)" in body
    assert "\x1b" not in body
    assert "**What to do:** check the credentials the workflow passes to this workspace" in body
    assert summary.read_text() == body.split("\n", 1)[1] + "\n"  # the job summary shows the same


def test_a_failed_apply_is_shown_under_the_apply_marker(fake_github, tmp_path):
    err = tmp_path / "apply.err"
    err.write_text("error: refused: the plan to apply differs from the reviewed plan, so nothing was applied\n")

    marker = "<!-- jobsync-apply:prod -->"
    result = run(fake_github.env, "comment", "--pr", "3", "--failed", f"prod={err}", "--marker", marker)

    assert result.exit_code == 0, result.stderr
    body = fake_github.comments_with(3, marker)[0]["body"]
    assert body.startswith(marker + "\n#### ⛔ jobsync apply failed for workspace `prod`")
    assert "**What to do:** plan again" in body


def test_a_malformed_failed_option_names_the_form(fake_github):
    result = run(fake_github.env, "comment", "--pr", "3", "--failed", "prod")

    assert result.exit_code == 1
    assert "give WORKSPACE=FILE" in result.stderr


def test_a_refused_token_is_reported_without_the_token(fake_github, tmp_path):
    body = tmp_path / "plan.md"
    body.write_text(f"{PLAN_MARKER}\nx\n")
    env = {**fake_github.env, "GITHUB_TOKEN": "ghs_wrong_secret_value"}

    result = run(env, "comment", "--pr", "3", "--body-file", str(body))

    assert result.exit_code == 1
    assert "Bad credentials" in result.stderr and "HTTP 401" in result.stderr
    assert "ghs_wrong_secret_value" not in result.stdout + result.stderr


def test_missing_github_settings_say_what_to_pass(tmp_path):
    body = tmp_path / "plan.md"
    body.write_text(f"{PLAN_MARKER}\nx\n")

    result = run({"GITHUB_TOKEN": "", "GITHUB_REPOSITORY": ""}, "comment", "--pr", "3", "--body-file", str(body))

    assert result.exit_code == 1
    assert "GITHUB_TOKEN and GITHUB_REPOSITORY not set" in result.stderr


def test_the_client_never_shows_its_token():
    github = GitHub("http://127.0.0.1:9", REPOSITORY, TOKEN)

    with pytest.raises(RemoteError) as raised:
        github.post("issues/1/comments", {"body": "x"})

    assert TOKEN not in repr(github) and TOKEN not in str(raised.value)


def test_an_oversized_body_is_cut_to_the_limit_with_a_note(fake_github):
    body = PLAN_MARKER + "\n" + "x" * (GITHUB_LIMIT + 10)

    posted = upsert_comment(GitHub(fake_github.url, REPOSITORY, TOKEN), 4, body)

    stored = fake_github.comments[4][0]["body"]
    assert posted.action == "created"
    assert len(stored) == GITHUB_LIMIT and stored.startswith(PLAN_MARKER)
    assert "cut to fit GitHub's comment limit" in stored
    assert fit("short") == "short"


def test_plan_comment_with_nothing_planned_says_so():
    body = plan_comment([])

    assert body.startswith(PLAN_MARKER)
    assert "No workspace changed" in body


# -- our comment is ours, and what it quotes pings nobody -----------------------------


@pytest.mark.parametrize("login", [None, "jobsync-bot"], ids=["actions-token", "personal-token"])
@pytest.mark.parametrize("marker", [PLAN_MARKER, "<!-- jobsync-apply -->", "<!-- jobsync-plan:dev -->"])
def test_a_marked_comment_by_another_account_is_never_edited(fake_github, tmp_path, login, marker):
    fake_github.user_login = login
    forged = fake_github.add_comment(5, f"{marker}\nPlan: 0 to change. Approve it!", user="mallory")
    body = tmp_path / "body.md"
    for n in (1, 2):
        body.write_text(f"{marker}\nPlan: {n} to create\n")
        result = run(fake_github.env, "comment", "--pr", "5", "--body-file", str(body))
        assert result.exit_code == 0, result.stderr

    ours = [c for c in fake_github.comments[5] if c["user"]["login"] == (login or "github-actions[bot]")]
    assert forged["body"] == f"{marker}\nPlan: 0 to change. Approve it!"
    assert [c["body"] for c in ours] == [f"{marker}\nPlan: 2 to create\n"]
    assert ("PATCH", f"/repos/{REPOSITORY}/issues/comments/{forged['id']}") not in fake_github.requests_seen


LIVE_MENTION = r"(?<![\w`/@.+-])@[A-Za-z0-9]"
LIVE_REFERENCE = r"(?<!&)#\d|(?<![\w`])GH-\d"


def _outside_code(markdown: str) -> str:
    """The parts of a Markdown body GitHub links mentions in: code fences and spans removed."""
    import re

    no_fences = re.sub(r"(?ms)^ {0,3}(`{3,}|~{3,}).*?^ {0,3}\1[`~]*\s*$", "", markdown)
    return re.sub(r"(`+)(?:(?!\1).)+?\1", "", no_fences)


@pytest.mark.parametrize(
    "text",
    ["@octocat", "@acme/admins", "#12", "acme/jobs#12", "GH-7", "cc @octocat, see #3 (@acme/ops) 张三@octocat"],
)
def test_mentions_and_references_in_a_plan_comment_are_inert(fake_github, tmp_path, text):
    import re

    body = tmp_path / "extra.md"
    body.write_text(f"{PLAN_MARKER}\nconnection {text} changed; ask {text}\n")

    result = run(fake_github.env, "comment", "--pr", "8", "--body-file", str(body))
    posted = upsert_comment(GitHub(fake_github.url, REPOSITORY, TOKEN), 9, plan_comment([], [f"note: {text}"]))

    assert result.exit_code == 0, result.stderr
    for raw in (fake_github.comments[8][0]["body"], fake_github.comments[9][0]["body"]):
        visible = _outside_code(raw)
        assert not re.search(LIVE_MENTION, visible), raw
        assert not re.search(LIVE_REFERENCE, visible), raw
        assert raw.replace("\u2060", "").count(text) >= 1  # the reader still sees the text
    assert posted.action == "created"


def test_a_plan_comment_of_repo_text_with_mentions_pings_nobody(fake_github, local, tmp_path):
    import re

    from support import environment, job_body, remote_job

    from jobsync.core.model import Kind

    text = "@octocat @acme/admins #12 acme/jobs#12"
    local.seed({**environment(), "jobs": [remote_job(job_body("etl_张三", description="old"))]})
    node = {"name": "load", "type": "DWSSQL", "properties": [{"name": "connectionName", "value": f"dws {text}"}]}
    local.put(Kind.JOB, job_body("etl_张三", description=f"owner {text}", nodes=[node]))
    local.commit()
    plan = tmp_path / "plan.json"
    planned = local.run("plan", "-w", "dev", "--out", str(plan))

    result = run(fake_github.env, "comment", "--pr", "4", "--plan", str(plan))

    assert plan.exists(), planned.stderr  # exit 1: the connection is missing, which the plan reports
    assert result.exit_code == 0, result.stderr
    raw = fake_github.comments[4][0]["body"]
    assert "octocat" in raw
    visible = _outside_code(raw)
    assert not re.search(LIVE_MENTION, visible), raw
    assert not re.search(LIVE_REFERENCE, visible), raw
