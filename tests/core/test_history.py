"""The version description apply writes, read back by `jobsync history`."""

from __future__ import annotations

import pytest

from jobsync.core.history import JobVersion, Origin, parse_description, pr_from_message, version_description


def test_a_description_names_commit_pr_workspace_and_user_and_reads_back():
    text = version_description("1a2b3c4d5e6f7a8b9c0d1a2b3c4d5e6f7a8b9c0d", "销售", "alice", pr=12)

    assert text == "jobsync apply 1a2b3c4d5e6f PR #12 (销售) by alice"
    assert parse_description(text) == Origin(commit="1a2b3c4d5e6f", pr=12, workspace="销售", user="alice")


def test_the_form_without_a_pr_and_an_uncommitted_tree_read_back():
    assert parse_description("jobsync apply 1a2b3c4d5e6f (dev) by jobsync") == Origin(
        "1a2b3c4d5e6f", None, "dev", "jobsync"
    )
    assert parse_description(version_description(None, "dev", "bob")) == Origin(None, None, "dev", "bob")


@pytest.mark.parametrize("text", ["", "hotfix at 2am", "jobsync apply", "jobsync apply XYZ (dev) by a", None])
def test_any_other_description_was_made_outside_jobsync(text):
    assert parse_description(text) is None
    assert JobVersion(1, description=text or "").origin is None


@pytest.mark.parametrize(
    ("message", "pr"),
    [
        ("Merge pull request #31 from team/fix\n\nFix the query", 31),
        ("Fix the daily query (#7)\n\n* details", 7),
        ("Fix the daily query", None),
        ("Refers to #9 in the body\n(#9)", None),
        ("", None),
    ],
)
def test_the_pr_is_read_from_a_merge_or_squash_commit_message(message, pr):
    assert pr_from_message(message) == pr
