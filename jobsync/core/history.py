"""Version history: the description jobsync gives every version it submits, and reading it back.

Each version apply submits carries one line that names where it came from:

    jobsync apply 1a2b3c4d5e6f PR #12 (dev) by alice
    jobsync apply 1a2b3c4d5e6f (dev) by alice            (no pull request known)

`parse_description` reads that line back (the older form without a PR as well); a version
whose description is anything else was made outside jobsync ("made in the console").
"""

from __future__ import annotations

import re
from dataclasses import dataclass

PREFIX = "jobsync apply"
_DESCRIPTION = re.compile(
    r"^jobsync apply (?P<commit>[0-9a-f]{7,40}|uncommitted)(?P<dirty>\+dirty)?"
    r"(?: PR #(?P<pr>\d+))?"
    r" \((?P<workspace>.*)\) by (?P<user>.+?)(?: \[allowed: (?P<allowed>.*)\])?$"
)
# "Merge pull request #12 from ..." (merge commit) or "Subject (#12)" (squash merge)
_PR_IN_MESSAGE = (re.compile(r"^Merge pull request #(\d+)\b"), re.compile(r"\(#(\d+)\)\s*$"))
SHORT_SHA = 12


@dataclass(frozen=True)
class Origin:
    """Where a version came from, as its description names it."""

    commit: str | None  # short sha; None when the working tree was not committed
    pr: int | None
    workspace: str
    user: str


@dataclass(frozen=True)
class JobVersion:
    """One submitted version of a job, as a backend reads it."""

    version: int
    submitter: str | None = None
    submitted_ms: int | None = None  # epoch milliseconds
    description: str = ""

    @property
    def origin(self) -> Origin | None:
        return parse_description(self.description)


def version_description(
    commit: str | None, workspace: str, user: str, pr: int | None = None, *, dirty: bool = False
) -> str:
    """The description of every version apply submits; `+dirty` after the commit when files
    with uncommitted changes were applied."""
    short = (commit or "uncommitted")[:SHORT_SHA] + ("+dirty" if dirty else "")
    request = f" PR #{pr}" if pr is not None else ""
    return f"{PREFIX} {short}{request} ({workspace}) by {user}"


def parse_description(text: str | None) -> Origin | None:
    """The origin a jobsync description names, or None for any other description."""
    match = _DESCRIPTION.match((text or "").strip())
    if match is None:
        return None
    commit = match["commit"]
    return Origin(
        commit=None if commit == "uncommitted" else commit,
        pr=int(match["pr"]) if match["pr"] else None,
        workspace=match["workspace"],
        user=match["user"],
    )


def pr_from_message(message: str) -> int | None:
    """The pull request a commit message names: a merge commit's or a squash merge's "(#n)"."""
    lines = message.strip().splitlines()
    if not lines:
        return None
    first = lines[0].strip()
    for pattern in _PR_IN_MESSAGE:
        found = pattern.search(first)
        if found:
            return int(found[1])
    return None
