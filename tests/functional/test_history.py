"""`jobsync history`: each version with the commit and PR that produced it, on both backends."""

from __future__ import annotations

from support import git, job_body

from jobsync.core.model import Kind


def console_version(scenario, name: str, *, user: str, description: str) -> None:
    """Submit a version as someone in the console would: not through jobsync."""
    document = scenario.document()
    entry = next(job for job in document["jobs"] if job["definition"]["name"] == name)
    versions = entry["versions"]
    versions.append(
        {
            "version": versions[-1]["version"] + 1,
            "definition": dict(entry["definition"], description="console edit"),
            "submitUser": user,
            "submitTime": versions[-1]["submitTime"] + 60_000,
            "description": description,
        }
    )
    scenario.seed(document)


def test_history_names_the_commit_and_pr_of_each_version_and_the_console_ones(scenario):
    scenario.put(Kind.JOB, job_body("每日销售"))
    first = scenario.commit("Add the daily sales job (#12)")
    assert scenario.run("apply", "-w", "dev", "--auto-approve").exit_code == 0
    console_version(scenario, "每日销售", user="alice", description="hotfix at 2am")
    scenario.put(Kind.JOB, job_body("每日销售", description="from git again"))
    second = scenario.commit("Revert the console edit")
    assert scenario.run("apply", "-w", "dev", "--auto-approve", env={"JOBSYNC_PR": "14"}).exit_code == 0

    result = scenario.run("history", "-w", "dev", "每日销售", "--format", "json")

    assert result.exit_code == 0, result.stderr
    versions = result.json()["versions"]
    assert [v["version"] for v in versions] == [3, 2, 1]
    assert [v["made_by"] for v in versions] == ["jobsync", "console", "jobsync"]
    assert (versions[0]["commit"], versions[0]["pr"], versions[0]["subject"]) == (second, 14, "Revert the console edit")
    assert (versions[1]["submitter"], versions[1]["description"], versions[1]["commit"]) == (
        "alice",
        "hotfix at 2am",
        None,
    )
    assert (versions[2]["commit"], versions[2]["pr"], versions[2]["submitter"]) == (first, 12, "jobsync")
    assert versions[2]["submitted"].endswith("Z") and isinstance(versions[2]["submitted_ms"], int)


def test_history_text_shows_one_line_per_version(scenario):
    scenario.put(Kind.JOB, job_body("etl"))
    commit = scenario.commit("Merge pull request #3 from team/etl")
    scenario.run("apply", "-w", "dev", "--auto-approve")
    console_version(scenario, "etl", user="bob", description="")

    result = scenario.run("history", "-w", "dev", "etl")

    assert result.exit_code == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0].startswith("history of job etl in workspace dev") and "2 version(s)" in lines[0]
    assert lines[1].startswith("v2") and "by bob" in lines[1] and lines[1].endswith("made in the console")
    assert f"commit {commit[:12]} (PR #3)" in lines[2] and '"Merge pull request #3 from team/etl"' in lines[2]


def test_a_commit_the_repo_does_not_have_is_shown_short(scenario):
    scenario.put(Kind.JOB, job_body("etl"))
    scenario.commit("one")
    scenario.run("apply", "-w", "dev", "--auto-approve")
    git(scenario.root, "commit", "-q", "--amend", "-m", "rewritten")
    git(scenario.root, "reflog", "expire", "--expire=now", "--all")
    git(scenario.root, "gc", "-q", "--prune=now")

    versions = scenario.run("history", "-w", "dev", "etl", "--format", "json").json()["versions"]

    assert len(versions[0]["commit"]) == 12 and versions[0]["subject"] is None


def test_history_of_an_unknown_job_says_so(scenario):
    result = scenario.run("history", "-w", "dev", "nope")

    assert result.exit_code == 1
    assert "job nope is not in" in result.stderr
