"""Text from the repo or a workspace pings nobody and forges no commit trailer."""

from __future__ import annotations

import re
import subprocess

import pytest

from jobsync.core.inert import JOINER, inert, one_line
from jobsync.core.model import Kind, ObjectKey
from jobsync.core.snapshot import RemoteObject, Snapshot
from jobsync.ops.export import commit_message
from jobsync.repo.writer import FileChanges

LIVE = re.compile(r"(?<![\w`/@.+-])@[A-Za-z0-9]|(?<!&)#\d|(?<![\w`])GH-\d")


@pytest.mark.parametrize(
    "text",
    ["@octocat", "@acme/admins", "(@octocat)", "#12", "acme/jobs#12", "GH-7", "张三@octocat", "x\n@octocat #9"],
)
def test_mentions_and_references_are_inert_and_still_read_the_same(text):
    made = inert(text)

    assert not LIVE.search(made)
    assert made.replace(JOINER, "") == text


def test_code_html_entities_and_emails_are_left_alone():
    text = "`@octocat #1`\n```\n@octocat #2\n```\nmail a@b.example, &#96;"

    assert inert(text) == text


@pytest.mark.parametrize(
    "name",
    [
        "alice\nSigned-off-by: Mallory <m@example.com>",
        "bob\r\nCo-authored-by: Mallory <m@example.com>",
        "carol\u2028Signed-off-by: Mallory <m@example.com>",
        "Signed-off-by: Mallory <m@example.com>",
    ],
)
def test_a_workspace_name_or_user_cannot_forge_a_commit_trailer(tmp_path, name):
    key = ObjectKey(Kind.JOB, "etl")
    snapshot = Snapshot({key: RemoteObject(key, {"name": "etl"}, last_update_user=name)})
    result = FileChanges(added=[str(key), f"job {name}"], changed=["job @octocat #3"])

    message = commit_message("dev", result, snapshot)
    trailers = subprocess.run(
        ["git", "interpret-trailers", "--parse"], input=message, capture_output=True, text=True, check=True
    ).stdout

    assert [line.split(":")[0] for line in trailers.splitlines()] == ["Changed-by"]
    assert not LIVE.search(message)
    assert one_line(name).count("\n") == 0
