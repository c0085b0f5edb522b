"""The sticky pull-request comment: one per PR and marker, updated on every push.

A comment body starts with a marker line, an HTML comment GitHub does not show:
`<!-- jobsync-plan -->` for the plan of every changed workspace in one comment (what the
plan workflow posts), `<!-- jobsync-plan:<workspace> -->` for one workspace's Markdown plan
on its own, `<!-- jobsync-apply -->` for the apply result. Posting looks through all of the
PR's comments (every page) for one that starts with the same marker AND was written by the
token's own identity (`GitHub.identity`), and edits it; only when there is none does it create
one. So re-runs and later pushes never add a second comment, and a marked comment written by
anyone else is never edited: it is not ours, whatever it says.

Every body is made inert first (core/inert.py): a mention or issue reference that came from
the repo or the workspace pings nobody and links nothing.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from jobsync.core.inert import inert
from jobsync.errors import JobsyncError
from jobsync.github.api import GitHub
from jobsync.render import markdown

PLAN_MARKER = "<!-- jobsync-plan -->"
APPLY_MARKER = "<!-- jobsync-apply -->"
CUT_NOTE = "the full text is in the workflow run's job summary and artifacts"
MARKER_LINE = re.compile(r"<!-- jobsync-[\w:.\-]+ -->")


@dataclass(frozen=True)
class Posted:
    action: str  # "created" or "updated"
    id: int
    url: str


def marker_of(body: str) -> str:
    """The marker a body starts with; JobsyncError if it has none."""
    first = body.split("\n", 1)[0].strip()
    if not MARKER_LINE.fullmatch(first):
        raise JobsyncError(
            f"the comment body must start with a marker line such as {PLAN_MARKER}; pass --marker to add one"
        )
    return first


def with_marker(body: str, marker: str | None) -> str:
    if marker is None or body.startswith(marker):
        return body
    return f"{marker}\n{body}"


def fit(body: str, limit: int = markdown.GITHUB_LIMIT) -> str:
    """The body, cut with a note when it is over GitHub's comment limit."""
    if len(body) <= limit:
        return body
    note = f"\n\n_…cut to fit GitHub's comment limit; {CUT_NOTE}._\n"
    return body[: limit - len(note)] + note


def find_comment(github: GitHub, pr: int, marker: str) -> dict[str, Any] | None:
    """Our comment with this marker: the first whose body starts with it and whose author is the token's identity."""
    me = github.identity()
    for comment in github.get_all(f"issues/{pr}/comments"):
        author = (comment.get("user") or {}).get("login")
        if str(comment.get("body") or "").startswith(marker) and author == me:
            return comment
    return None


def upsert_comment(github: GitHub, pr: int, body: str) -> Posted:
    """Edit the PR's comment that starts with the body's marker, or create it."""
    body = fit(inert(body))
    found = find_comment(github, pr, marker_of(body))
    if found is not None:
        done = github.patch(f"issues/comments/{found['id']}", {"body": body})
        return Posted("updated", int(done["id"]), str(done.get("html_url", "")))
    done = github.post(f"issues/{pr}/comments", {"body": body})
    return Posted("created", int(done["id"]), str(done.get("html_url", "")))


def pull_request_of(github: GitHub, commit: str) -> int | None:
    """The pull request a pushed (merged) commit came from, if any."""
    for pull in github.get_all(f"commits/{commit}/pulls"):
        return int(pull["number"])
    return None


ANSI = re.compile(r"\x1b\[[0-9;]*m")
ERROR_TAIL = 3_000  # characters of a failed step's stderr shown in the comment
ADVICE = (
    (
        ("APIGW.0301", "IAM authentication", "credentials", "HTTP 401", "HTTP 403"),
        "check the credentials the workflow passes to this workspace (the secrets HUAWEICLOUD_SDK_AK and "
        "HUAWEICLOUD_SDK_SK, or HUAWEICLOUD_SDK_IDP_ID for OIDC and the identity provider in IAM), then re-run "
        "the workflow",
    ),
    (
        ("differs from the reviewed plan",),
        "plan again (push to the pull request or re-run its plan workflow), review the new plan, and apply it",
    ),
    (
        ("never planned",),
        "re-run the plan workflow on the pull request's last commit (or push again), review, then re-run apply",
    ),
    (
        ("could not reach", "timed out", "Connection", "endpoint"),
        "check `backend.endpoint` in the workspace.yaml and that the runner can reach it, then re-run the workflow",
    ),
    (("problem found", "problems found"), "fix the files named above and push again"),
)


def advice(text: str) -> str:
    """What to do about a failed step, from the words of its error."""
    for needles, todo in ADVICE:
        if any(needle in text for needle in needles):
            return todo
    return "fix what the message names and push again; if it was a passing outage, re-run the workflow"


def failure_section(workspace: str, text: str, step: str = "plan") -> str:
    """A failed step in the comment: what failed (the error, its last lines), which
    workspace, what to do."""
    clean = ANSI.sub("", text).strip() or f"jobsync {step} printed nothing; see the workflow run's log"
    if len(clean) > ERROR_TAIL:
        clean = "…" + clean[-ERROR_TAIL:]
    return "\n".join(
        [
            f"#### ⛔ jobsync {step} failed for workspace `{workspace}`",
            "",
            "```",
            clean.replace("```", "`\u200b``"),
            "```",
            "",
            f"**What to do:** {advice(clean)}.",
            "",
        ]
    )


def plan_comment(
    documents: Sequence[dict[str, Any]],
    extra: Sequence[str] = (),
    *,
    failures: Sequence[tuple[str, str]] = (),
    limit: int = markdown.GITHUB_LIMIT,
) -> str:
    """One comment for several workspaces' plans (JSON documents), the plans that failed
    (workspace, stderr) and extra Markdown.

    Failures come first: they are what the reader must act on. Each plan gets an equal share
    of what the marker, the failures and the extra text leave, so the whole comment stays
    under `limit`; markdown.render shortens a plan to its share.
    """
    head = [PLAN_MARKER, *(failure_section(ws, text) for ws, text in failures), *extra]
    used = sum(len(part) + 1 for part in head)
    share = (limit - used) // max(1, len(documents)) - 1
    parts = [markdown.render(document, limit=share) for document in documents]
    if not documents and not extra and not failures:
        parts = ["No workspace changed in this pull request; nothing to plan.\n"]
    return "\n".join(head + parts)
